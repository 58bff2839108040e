/**
 * The whole team config as one checked value. Builds it from the parsed documents and
 * the template sources, checking what no single file can: references between files
 * (sender, topic, template, step, engagement band), locales a template must exist in,
 * duplicate ids, and that every singleton kind is present exactly once. References are read
 * leniently, so a file with one mistake still has its other references checked.
 */
import { parseConfigDocument, type ConfigSourceFile, type ParsedDocument, type RawDocument } from './parse-documents.ts';
import { formatPath, type ConfigProblem } from './problems.ts';
import { collectDeclarations, messageReferences, type AttributeOwner, type Declarations, type FieldPath, type MessageReferences } from './references.ts';
import { attributeValueOf, NO_ATTRIBUTES, type Attributes } from './schema/attributes.ts';
import { LOCALES, OPTIONAL_SINGLETON_KINDS, SINGLETON_KINDS, type ConfigDocument, type Locale } from './schema/index.ts';
import type { Campaign, Sequence, WebinarPolicy } from './schema/messages.ts';
import type { CsqlRules, Scoring } from './schema/scoring.ts';
import type { Guardrails, Products, Senders, Topics } from './schema/settings.ts';
import type { WebinarConfig } from './schema/webinars.ts';
import type { SurveyConfig } from './schema/surveys.ts';
import { parseTemplateSource, type TemplateSourceFile, type TemplateVersion } from './template-source.ts';

export interface EngineConfig {
  campaigns: Campaign[];
  sequences: Sequence[];
  webinarPolicies: WebinarPolicy[];
  webinars: WebinarConfig[];
  /** Surveys campaigns and sequence steps ask (`survey: <id>`). */
  surveys: SurveyConfig[];
  senders: Senders;
  topics: Topics;
  products: Products;
  guardrails: Guardrails;
  scoring: Scoring;
  csqlRules: CsqlRules;
  /** Declared custom attributes; none declared when there is no attributes file. */
  attributes: Attributes;
  /** templateId -> locale -> version */
  templates: Map<string, Map<Locale, TemplateVersion>>;
  /** The file each document came from, by `kind/id` (or kind for singletons). */
  fileOf: Map<string, string>;
}

export type ConfigResult = { ok: true; config: EngineConfig } | { ok: false; problems: ConfigProblem[] };

export interface ConfigInput {
  /** Shown in problems about the set as a whole (e.g. a missing scoring file). */
  configRoot: string;
  templatesRoot: string;
  documents: ConfigSourceFile[];
  templates: TemplateSourceFile[];
}

export function buildEngineConfig(input: ConfigInput): ConfigResult {
  const problems: ConfigProblem[] = [];
  const parsedDocuments: ParsedDocument[] = [];
  const rawDocuments: RawDocument[] = [];
  const declaredKinds = new Set<string>();
  for (const source of input.documents) {
    const { parsed, raw, declaredKind, problems: documentProblems } = parseConfigDocument(source);
    problems.push(...documentProblems);
    if (parsed) parsedDocuments.push(parsed);
    if (raw) rawDocuments.push(raw);
    if (declaredKind) declaredKinds.add(declaredKind);
  }
  const templates = new Map<string, Map<Locale, TemplateVersion>>();
  const brokenTemplateFiles = new Set<string>();
  for (const source of input.templates) {
    const { version, problems: templateProblems } = parseTemplateSource(source);
    problems.push(...templateProblems);
    if (templateProblems.length > 0) brokenTemplateFiles.add(`${source.templateId}/${source.locale}`);
    if (version) {
      const versions = templates.get(version.templateId) ?? new Map<Locale, TemplateVersion>();
      versions.set(version.locale, version);
      templates.set(version.templateId, versions);
    }
  }

  const byKind = groupByKind(parsedDocuments);
  for (const kind of [...SINGLETON_KINDS, ...OPTIONAL_SINGLETON_KINDS]) {
    const found = rawDocuments.filter((document) => document.raw.kind === kind);
    // A file of this kind that failed to parse is already reported; "missing" would mislead.
    if (found.length === 0 && !declaredKinds.has(kind) && (SINGLETON_KINDS as readonly string[]).includes(kind)) {
      problems.push({ file: input.configRoot, path: 'kind', message: `no file of kind '${kind}': the engine needs exactly one` });
    }
    for (const extra of found.slice(1)) {
      const line = extra.lineOf(['kind']);
      problems.push({ file: extra.file, path: 'kind', message: `a second '${kind}' file: the engine needs exactly one (the first is ${found[0]?.file})`, ...(line === undefined ? {} : { line }) });
    }
  }

  const declarations: Declarations = {};
  for (const document of rawDocuments) collectDeclarations(document.raw, declarations);
  // No attributes file at all: nothing is declared, so a segment naming one is wrong. A file that
  // failed to parse leaves them unknown (its problem is already reported).
  if (!declarations.attributes && !declaredKinds.has('attributes')) declarations.attributes = { contact: new Map(), account: new Map() };
  const check = new CrossChecker(problems, {
    templates,
    knownTemplateIds: new Set(input.templates.map((source) => source.templateId)),
    brokenTemplateFiles,
    templatesRoot: input.templatesRoot,
    declarations,
  });
  for (const document of rawDocuments) check.singleton(document);
  const messageIds = new Map<string, string>();
  for (const document of rawDocuments) {
    const references = messageReferences(document.raw);
    if (!references) continue;
    if (references.id) {
      const earlier = messageIds.get(references.id);
      if (earlier) check.add(document, ['id'], `id '${references.id}' is already used by ${earlier}`);
      else messageIds.set(references.id, document.file);
    }
    check.message(document, references);
  }
  // Sends of a webinar are filed under its id, like a campaign's: the ids share one space.
  const zoomIds = new Map<string, string>();
  for (const document of rawDocuments.filter((candidate) => candidate.raw.kind === 'webinar')) {
    const id = typeof document.raw.id === 'string' ? document.raw.id : undefined;
    if (id) {
      const earlier = messageIds.get(id);
      if (earlier) check.add(document, ['id'], `id '${id}' is already used by ${earlier}`);
      else messageIds.set(id, document.file);
    }
    check.webinar(document, zoomIds);
  }

  // Survey ids have a space of their own (answers are keyed by survey): unique among surveys.
  const surveyIds = new Map<string, string>();
  for (const document of rawDocuments.filter((candidate) => candidate.raw.kind === 'survey')) {
    const id = typeof document.raw.id === 'string' ? document.raw.id : undefined;
    if (!id) continue;
    const earlier = surveyIds.get(id);
    if (earlier) check.add(document, ['id'], `survey id '${id}' is already used by ${earlier}`);
    else surveyIds.set(id, document.file);
  }

  if (problems.length > 0) return { ok: false, problems };
  const documentsOf = <K extends ConfigDocument['kind']>(kind: K) =>
    (byKind.get(kind) ?? []).map((parsed) => parsed.document as Extract<ConfigDocument, { kind: K }>);
  const only = <K extends (typeof SINGLETON_KINDS)[number]>(kind: K) => documentsOf(kind)[0] as Extract<ConfigDocument, { kind: K }>;
  const fileOf = new Map<string, string>();
  for (const parsed of parsedDocuments) {
    const document = parsed.document;
    fileOf.set('id' in document ? `${document.kind}/${document.id}` : document.kind, parsed.file);
  }
  return {
    ok: true,
    config: {
      campaigns: documentsOf('campaign'),
      sequences: documentsOf('sequence'),
      webinarPolicies: documentsOf('webinar-policy'),
      webinars: documentsOf('webinar'),
      surveys: documentsOf('survey'),
      senders: only('senders'),
      topics: only('topics'),
      products: only('products'),
      guardrails: only('guardrails'),
      scoring: only('scoring'),
      csqlRules: only('csql-rules'),
      attributes: documentsOf('attributes')[0] ?? NO_ATTRIBUTES,
      templates,
      fileOf,
    },
  };
}

function groupByKind(documents: ParsedDocument[]): Map<string, ParsedDocument[]> {
  const groups = new Map<string, ParsedDocument[]>();
  for (const parsed of documents) {
    const group = groups.get(parsed.document.kind) ?? [];
    group.push(parsed);
    groups.set(parsed.document.kind, group);
  }
  return groups;
}

interface CrossCheckContext {
  templates: Map<string, Map<Locale, TemplateVersion>>;
  knownTemplateIds: Set<string>;
  /** `templateId/locale` of template files that exist but failed to parse (already reported). */
  brokenTemplateFiles: Set<string>;
  templatesRoot: string;
  declarations: Declarations;
}

/** Checks that span documents; each finding is added with the referring document's file and line. */
class CrossChecker {
  constructor(
    private readonly problems: ConfigProblem[],
    private readonly context: CrossCheckContext,
  ) {}

  /** Adds a problem unless that field of that file already has one (e.g. from the schema). */
  add(document: RawDocument, path: FieldPath, message: string): void {
    const shownPath = formatPath(path);
    if (this.problems.some((problem) => problem.file === document.file && problem.path === shownPath)) return;
    const line = document.lineOf(path);
    this.problems.push({ file: document.file, path: shownPath, message, ...(line === undefined ? {} : { line }) });
  }

  singleton(document: RawDocument): void {
    const raw = document.raw;
    const items = (key: string) => (Array.isArray(raw[key]) ? (raw[key] as unknown[]) : []);
    if (raw.kind === 'senders') {
      this.uniqueIds(document, items('identities'), ['identities']);
      // The footer of every bulk email names the sender and its postal address, in the email's language.
      items('identities').forEach((identity, index) => {
        for (const field of ['organization', 'postalAddress'] as const) {
          const text = (identity as Record<string, Record<string, unknown> | undefined> | null)?.[field];
          if (text === undefined || text === null || typeof text !== 'object') continue;
          for (const locale of LOCALES) {
            if (!text[locale]) this.add(document, ['identities', index, field, locale], `missing ${locale} ${field}: every bulk email shows the sender's name and postal address (CAN-SPAM, Japan's Specified Electronic Mail Act), in ${LOCALES.join(' and ')}`);
          }
        }
      });
    }
    if (raw.kind === 'products') this.uniqueIds(document, items('products'), ['products']);
    if (raw.kind === 'attributes') {
      this.uniqueIds(document, items('contact'), ['contact']);
      this.uniqueIds(document, items('account'), ['account']);
    }
    if (raw.kind === 'csql-rules') {
      this.uniqueIds(document, items('rules'), ['rules']);
      items('rules').forEach((rule, index) => this.products(document, ['rules', index, 'productsNotOwned'], (rule as { productsNotOwned?: unknown } | null)?.productsNotOwned));
      // A rising-usage condition reads figures the ingest accepts: only metrics scoring.yaml declares.
      const metrics = this.context.declarations.usageMetrics;
      items('rules').forEach((rule, index) => {
        const rising = (rule as { usageRising?: Record<string, unknown> } | null)?.usageRising;
        for (const field of ['metric', 'per'] as const) {
          const metric = rising?.[field];
          if (metrics && typeof metric === 'string' && !metrics.has(metric)) this.add(document, ['rules', index, 'usageRising', field], `unknown usage metric '${metric}': scoring.yaml health.metrics declares ${[...metrics].join(', ')}`);
        }
      });
      // Hysteresis only works when a CSQL must fall below the level that promoted it before it stops being one.
      const demoteBelow = raw.demoteBelowScore;
      items('rules').forEach((rule, index) => {
        const min = (rule as { minAccountScore?: unknown } | null)?.minAccountScore;
        if (typeof demoteBelow === 'number' && typeof min === 'number' && demoteBelow >= min) {
          this.add(document, ['rules', index, 'minAccountScore'], `minAccountScore ${min} must be above demoteBelowScore ${demoteBelow}: otherwise an account at the threshold is promoted and demoted over and over`);
        }
      });
    }
    if (raw.kind === 'topics') {
      this.uniqueIds(document, items('topics'), ['topics']);
      items('topics').forEach((topic, index) => {
        const label = (topic as { label?: Record<string, unknown> } | null)?.label ?? {};
        for (const locale of LOCALES) {
          if (!label[locale]) this.add(document, ['topics', index, 'label', locale], `missing ${locale} label: the preference centre is shown in ${LOCALES.join(' and ')}`);
        }
      });
    }
    if (raw.kind === 'scoring') {
      const bands = items('bands').map((band) => band as { minScore?: unknown } | null);
      this.uniqueIds(document, bands, ['bands']);
      bands.forEach((band, index) => {
        const previous = bands[index - 1]?.minScore;
        const current = band?.minScore;
        if (typeof previous === 'number' && typeof current === 'number' && current <= previous) {
          this.add(document, ['bands', index, 'minScore'], `bands must be in rising order of minScore (${current} is not above ${previous})`);
        }
      });
      const first = bands[0]?.minScore;
      if (typeof first === 'number' && first !== 0) this.add(document, ['bands', 0, 'minScore'], 'the first band must start at 0 so every contact has a band');
    }
  }

  message(document: RawDocument, references: MessageReferences): void {
    const { declarations } = this.context;
    if (references.fallbackLocale && references.locales.length > 0 && !references.locales.includes(references.fallbackLocale)) {
      this.add(document, ['fallbackLocale'], `fallbackLocale '${references.fallbackLocale}' is not one of locales (${references.locales.join(', ')})`);
    }
    if (references.sender && declarations.senders) {
      const displayNames = declarations.senders.get(references.sender);
      if (!displayNames) {
        this.add(document, ['sender'], `unknown sender '${references.sender}': declared senders are ${[...declarations.senders.keys()].join(', ')}`);
      } else {
        for (const locale of references.locales) {
          if (!displayNames.has(locale)) this.add(document, ['sender'], `sender '${references.sender}' has no ${locale} displayName, but this ${references.kind} is sent in ${locale}`);
        }
      }
    }
    if (references.topic && declarations.topics && !declarations.topics.has(references.topic)) {
      this.add(document, ['topic'], `unknown topic '${references.topic}': declared topics are ${[...declarations.topics].join(', ')}`);
    }
    for (const [path, templateId] of references.templates) this.templateReference(document, path, templateId, references.locales);
    if (declarations.bands) {
      const known = declarations.bands;
      for (const [path, band] of references.bands) {
        if (!known.has(band)) this.add(document, path, `unknown engagement band '${band}': scoring defines ${[...known].join(', ')}`);
      }
    }
    this.sequenceSteps(document, references.steps);
    const webinars = declarations.webinars ?? new Set<string>();
    for (const [path, webinarId] of references.invites) {
      if (!webinars.has(webinarId)) this.add(document, path, `unknown webinar '${webinarId}': declared webinars are ${[...webinars].join(', ') || 'none (kind: webinar)'}`);
    }
    const surveys = declarations.surveys ?? new Set<string>();
    for (const [path, surveyId] of references.surveys) {
      if (!surveys.has(surveyId)) this.add(document, path, `unknown survey '${surveyId}': declared surveys are ${[...surveys].join(', ') || 'none (kind: survey)'}`);
    }
    for (const [path, products] of references.products) this.products(document, path, products);
    for (const { path, of, filter } of references.attributeFilters) this.attributeFilter(document, path, of, filter);
  }

  /** A webinar's policy and product exist, its title is written in the policy's locales, session and Zoom ids are unique. */
  webinar(document: RawDocument, zoomIds: Map<string, string>): void {
    const raw = document.raw;
    const { webinarPolicies } = this.context.declarations;
    const policy = typeof raw.policy === 'string' ? raw.policy : undefined;
    const locales = policy ? webinarPolicies?.get(policy) : undefined;
    if (policy && webinarPolicies && !locales) {
      this.add(document, ['policy'], `unknown webinar-policy '${policy}': declared policies are ${[...webinarPolicies.keys()].join(', ') || 'none'}`);
    }
    const title = (raw.title ?? {}) as Record<string, unknown>;
    for (const locale of locales ?? []) {
      if (typeof title === 'object' && !title[locale]) this.add(document, ['title', locale], `missing ${locale} title: policy '${policy}' sends in ${locale}`);
    }
    if (typeof raw.product === 'string') this.products(document, [], [raw.product], ['product']);
    const sessions = Array.isArray(raw.sessions) ? raw.sessions : [];
    this.uniqueIds(document, sessions, ['sessions']);
    sessions.forEach((session, index) => {
      const zoomId = (session as { zoomWebinarId?: unknown } | null)?.zoomWebinarId;
      if (typeof zoomId !== 'string' && typeof zoomId !== 'number') return;
      const digits = String(zoomId).replace(/[\s-]/gu, '');
      const where = `${document.file} sessions[${index}]`;
      const earlier = zoomIds.get(digits);
      if (earlier) this.add(document, ['sessions', index, 'zoomWebinarId'], `Zoom webinar id ${digits} is already used by ${earlier}: webhooks could not tell the sessions apart`);
      else zoomIds.set(digits, where);
    });
  }

  /** Each attribute a segment names must be declared for that owner, and each value valid for its type. */
  private attributeFilter(document: RawDocument, path: FieldPath, of: AttributeOwner, filter: unknown): void {
    const declared = this.context.declarations.attributes?.[of];
    if (!declared || typeof filter !== 'object' || filter === null || Array.isArray(filter)) return;
    for (const [id, values] of Object.entries(filter)) {
      const declaration = declared.get(id);
      if (!declaration) {
        const known = declared.size > 0 ? `declared ${of} attributes are ${[...declared.keys()].join(', ')}` : `no ${of} attributes are declared (campaigns/attributes.yaml, kind: attributes)`;
        this.add(document, [...path, id], `unknown ${of} attribute '${id}': ${known}`);
        continue;
      }
      if (!Array.isArray(values)) continue;
      values.forEach((value, index) => {
        // A segment value is written in YAML, so it must already be of the type (no text for a number).
        const typed = typeof value === (declaration.type === 'date' ? 'string' : declaration.type);
        const checked = attributeValueOf(declaration, value);
        if (!typed || 'error' in checked) {
          const message = 'error' in checked ? checked.error : `expected a ${declaration.type}, got '${String(value)}'`;
          this.add(document, [...path, id, index], `${of} attribute '${id}' (${declaration.type}): ${message}`);
        }
      });
    }
  }

  /** Each product named at `path` must be declared in the products file. */
  private products(document: RawDocument, path: FieldPath, named: unknown, pathOfOne?: FieldPath): void {
    const known = this.context.declarations.products;
    if (!known || !Array.isArray(named)) return;
    named.forEach((product, index) => {
      if (typeof product === 'string' && !known.has(product)) this.add(document, pathOfOne ?? [...path, index], `unknown product '${product}': declared products are ${[...known].join(', ')}`);
    });
  }

  private templateReference(document: RawDocument, path: FieldPath, templateId: string, locales: Locale[]): void {
    const { knownTemplateIds, templates, brokenTemplateFiles, templatesRoot } = this.context;
    if (!knownTemplateIds.has(templateId)) {
      this.add(document, path, `unknown template '${templateId}': no folder ${templatesRoot}/${templateId}/ with <locale>.mjml files`);
      return;
    }
    const versions = templates.get(templateId);
    for (const locale of locales) {
      // A locale file that exists but failed to parse is already reported; do not report it twice.
      if (!versions?.has(locale) && !brokenTemplateFiles.has(`${templateId}/${locale}`)) {
        this.add(document, path, `template '${templateId}' has no ${locale} version (${templatesRoot}/${templateId}/${locale}.mjml), but ${locale} is in locales`);
      }
    }
  }

  private sequenceSteps(document: RawDocument, steps: MessageReferences['steps']): void {
    this.uniqueIds(document, steps, ['steps']);
    steps.forEach((step, index) => {
      for (const key of ['opened', 'notOpened', 'clicked', 'notClicked']) {
        const referenced = step.when?.[key];
        if (typeof referenced !== 'string') continue;
        if (!steps.slice(0, index).some((candidate) => candidate.id === referenced)) {
          this.add(document, ['steps', index, 'when', key], `'${referenced}' is not an earlier step of this sequence`);
        }
      }
    });
  }

  private uniqueIds(document: RawDocument, items: readonly unknown[], path: FieldPath): void {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return;
      if (seen.has(id)) this.add(document, [...path, index, 'id'], `duplicate id '${id}'`);
      seen.add(id);
    });
  }
}
