/**
 * The whole team config as one checked value. Builds it from the parsed documents and
 * the template sources, checking what no single file can: references between files
 * (sender, topic, template, step, engagement band), locales a template must exist in,
 * duplicate ids, and that every singleton kind is present exactly once.
 */
import { parseConfigDocument, type ConfigSourceFile, type ParsedDocument } from './parse-documents.ts';
import { formatPath, type ConfigProblem } from './problems.ts';
import { LOCALES, SINGLETON_KINDS, type ConfigDocument, type Locale } from './schema/index.ts';
import type { Campaign, Sequence, WebinarPolicy } from './schema/messages.ts';
import type { CsqlRules, Scoring } from './schema/scoring.ts';
import type { Guardrails, Senders, Topics } from './schema/settings.ts';
import { parseTemplateSource, type TemplateSourceFile, type TemplateVersion } from './template-source.ts';

export interface EngineConfig {
  campaigns: Campaign[];
  sequences: Sequence[];
  webinarPolicies: WebinarPolicy[];
  senders: Senders;
  topics: Topics;
  guardrails: Guardrails;
  scoring: Scoring;
  csqlRules: CsqlRules;
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
  const declaredKinds = new Set<string>();
  for (const source of input.documents) {
    const { parsed, declaredKind, problems: documentProblems } = parseConfigDocument(source);
    problems.push(...documentProblems);
    if (parsed) parsedDocuments.push(parsed);
    if (declaredKind) declaredKinds.add(declaredKind);
  }
  const templates = new Map<string, Map<Locale, TemplateVersion>>();
  for (const source of input.templates) {
    const { version, problems: templateProblems } = parseTemplateSource(source);
    problems.push(...templateProblems);
    if (version) {
      const versions = templates.get(version.templateId) ?? new Map<Locale, TemplateVersion>();
      versions.set(version.locale, version);
      templates.set(version.templateId, versions);
    }
  }
  const knownTemplateIds = new Set(input.templates.map((source) => source.templateId));

  const byKind = groupByKind(parsedDocuments);
  const singletons = new Map<string, ParsedDocument>();
  for (const kind of SINGLETON_KINDS) {
    const found = byKind.get(kind) ?? [];
    // A file of this kind that failed to parse is already reported; "missing" would mislead.
    if (found.length === 0 && !declaredKinds.has(kind)) {
      problems.push({ file: input.configRoot, path: 'kind', message: `no file of kind '${kind}': the engine needs exactly one` });
    }
    for (const extra of found.slice(1)) {
      problems.push({ file: extra.file, path: 'kind', message: `a second '${kind}' file: the engine needs exactly one (the first is ${found[0]?.file})`, line: extra.lineOf(['kind']) });
    }
    if (found[0]) singletons.set(kind, found[0]);
  }

  const check = new CrossChecker(problems, templates, knownTemplateIds, input.templatesRoot);
  const senders = singletons.get('senders')?.document as Senders | undefined;
  const topics = singletons.get('topics')?.document as Topics | undefined;
  const scoring = singletons.get('scoring')?.document as Scoring | undefined;
  check.settings(singletons, senders, topics, scoring);

  const messageIds = new Map<string, string>();
  for (const parsed of parsedDocuments) {
    const document = parsed.document;
    if (document.kind !== 'campaign' && document.kind !== 'sequence' && document.kind !== 'webinar-policy') continue;
    const earlier = messageIds.get(document.id);
    if (earlier) check.add(parsed, ['id'], `id '${document.id}' is already used by ${earlier}`);
    else messageIds.set(document.id, parsed.file);
    check.messageDocument(parsed, senders, topics, scoring);
  }

  if (problems.length > 0 || !senders || !topics || !scoring) return { ok: false, problems };
  const fileOf = new Map<string, string>();
  for (const parsed of parsedDocuments) {
    const document = parsed.document;
    fileOf.set('id' in document ? `${document.kind}/${document.id}` : document.kind, parsed.file);
  }
  const documentsOf = <K extends ConfigDocument['kind']>(kind: K) =>
    (byKind.get(kind) ?? []).map((parsed) => parsed.document as Extract<ConfigDocument, { kind: K }>);
  return {
    ok: true,
    config: {
      campaigns: documentsOf('campaign'),
      sequences: documentsOf('sequence'),
      webinarPolicies: documentsOf('webinar-policy'),
      senders,
      topics,
      guardrails: singletons.get('guardrails')?.document as Guardrails,
      scoring,
      csqlRules: singletons.get('csql-rules')?.document as CsqlRules,
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

/** Checks that span documents; each finding is added with the referring document's file and line. */
class CrossChecker {
  constructor(
    private readonly problems: ConfigProblem[],
    private readonly templates: Map<string, Map<Locale, TemplateVersion>>,
    private readonly knownTemplateIds: Set<string>,
    private readonly templatesRoot: string,
  ) {}

  add(parsed: ParsedDocument, path: PropertyKey[], message: string): void {
    const line = parsed.lineOf(path);
    this.problems.push({ file: parsed.file, path: formatPath(path), message, ...(line === undefined ? {} : { line }) });
  }

  settings(singletons: Map<string, ParsedDocument>, senders?: Senders, topics?: Topics, scoring?: Scoring): void {
    const sendersDocument = singletons.get('senders');
    if (senders && sendersDocument) this.uniqueIds(sendersDocument, senders.identities, ['identities']);
    const topicsDocument = singletons.get('topics');
    if (topics && topicsDocument) {
      this.uniqueIds(topicsDocument, topics.topics, ['topics']);
      topics.topics.forEach((topic, index) => {
        for (const locale of LOCALES) {
          if (!topic.label[locale]) this.add(topicsDocument, ['topics', index, 'label', locale], `missing ${locale} label: the preference centre is shown in ${LOCALES.join(' and ')}`);
        }
      });
    }
    const scoringDocument = singletons.get('scoring');
    if (scoring && scoringDocument) {
      this.uniqueIds(scoringDocument, scoring.bands, ['bands']);
      scoring.bands.forEach((band, index) => {
        const previous = scoring.bands[index - 1];
        if (previous && band.minScore <= previous.minScore) {
          this.add(scoringDocument, ['bands', index, 'minScore'], `bands must be in rising order of minScore (${band.minScore} is not above ${previous.minScore})`);
        }
      });
      if (scoring.bands[0] && scoring.bands[0].minScore !== 0) {
        this.add(scoringDocument, ['bands', 0, 'minScore'], 'the first band must start at 0 so every contact has a band');
      }
    }
    const csqlDocument = singletons.get('csql-rules');
    if (csqlDocument?.document.kind === 'csql-rules') this.uniqueIds(csqlDocument, csqlDocument.document.rules, ['rules']);
  }

  messageDocument(parsed: ParsedDocument, senders?: Senders, topics?: Topics, scoring?: Scoring): void {
    const document = parsed.document as Campaign | Sequence | WebinarPolicy;
    if (!document.locales.includes(document.fallbackLocale)) {
      this.add(parsed, ['fallbackLocale'], `fallbackLocale '${document.fallbackLocale}' is not one of locales (${document.locales.join(', ')})`);
    }
    const sender = senders?.identities.find((identity) => identity.id === document.sender);
    if (senders && !sender) {
      this.add(parsed, ['sender'], `unknown sender '${document.sender}': declared senders are ${senders.identities.map((identity) => identity.id).join(', ')}`);
    }
    if (sender) {
      for (const locale of document.locales) {
        if (!sender.displayName[locale]) this.add(parsed, ['sender'], `sender '${sender.id}' has no ${locale} displayName, but this ${document.kind} is sent in ${locale}`);
      }
    }
    if (topics && !topics.topics.some((topic) => topic.id === document.topic)) {
      this.add(parsed, ['topic'], `unknown topic '${document.topic}': declared topics are ${topics.topics.map((topic) => topic.id).join(', ')}`);
    }
    for (const [path, templateId] of templateReferences(document)) this.templateReference(parsed, path, templateId, document.locales);
    if (document.kind === 'campaign') this.audienceBands(parsed, ['audience', 'engagementBands'], document.audience.engagementBands, scoring);
    if (document.kind === 'sequence') {
      this.audienceBands(parsed, ['enrollment', 'audience', 'engagementBands'], document.enrollment.audience?.engagementBands, scoring);
      this.sequenceSteps(parsed, document);
    }
  }

  private templateReference(parsed: ParsedDocument, path: PropertyKey[], templateId: string, locales: Locale[]): void {
    if (!this.knownTemplateIds.has(templateId)) {
      this.add(parsed, path, `unknown template '${templateId}': no folder ${this.templatesRoot}/${templateId}/ with <locale>.mjml files`);
      return;
    }
    const versions = this.templates.get(templateId);
    for (const locale of locales) {
      if (!versions?.has(locale) && !this.hasBrokenVersion(templateId, locale)) {
        this.add(parsed, path, `template '${templateId}' has no ${locale} version (${this.templatesRoot}/${templateId}/${locale}.mjml), but ${locale} is in locales`);
      }
    }
  }

  /** A locale file that exists but failed to parse is already reported; do not report it twice. */
  private hasBrokenVersion(templateId: string, locale: Locale): boolean {
    return this.problems.some((problem) => problem.file.endsWith(`${templateId}/${locale}.mjml`));
  }

  private audienceBands(parsed: ParsedDocument, path: PropertyKey[], bands: string[] | undefined, scoring?: Scoring): void {
    if (!bands || !scoring) return;
    bands.forEach((band, index) => {
      if (!scoring.bands.some((known) => known.id === band)) {
        this.add(parsed, [...path, index], `unknown engagement band '${band}': scoring defines ${scoring.bands.map((known) => known.id).join(', ')}`);
      }
    });
  }

  private sequenceSteps(parsed: ParsedDocument, sequence: Sequence): void {
    this.uniqueIds(parsed, sequence.steps, ['steps']);
    sequence.steps.forEach((step, index) => {
      const referenced = step.when?.opened ?? step.when?.notOpened ?? step.when?.clicked ?? step.when?.notClicked;
      if (referenced === undefined) return;
      const earlier = sequence.steps.slice(0, index).some((candidate) => candidate.id === referenced);
      if (!earlier) {
        const key = Object.keys(step.when ?? {})[0] ?? 'when';
        this.add(parsed, ['steps', index, 'when', key], `'${referenced}' is not an earlier step of this sequence`);
      }
    });
  }

  private uniqueIds(parsed: ParsedDocument, items: readonly { id: string }[], path: PropertyKey[]): void {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.id)) this.add(parsed, [...path, index, 'id'], `duplicate id '${item.id}'`);
      seen.add(item.id);
    });
  }
}

function templateReferences(document: Campaign | Sequence | WebinarPolicy): Array<[PropertyKey[], string]> {
  switch (document.kind) {
    case 'campaign':
      return [[['template'], document.template]];
    case 'sequence':
      return document.steps.map((step, index) => [['steps', index, 'template'], step.template]);
    case 'webinar-policy':
      return [
        [['confirmation', 'template'], document.confirmation.template],
        ...document.reminders.map((reminder, index): [PropertyKey[], string] => [['reminders', index, 'template'], reminder.template]),
        [['followUps', 'attendees', 'template'], document.followUps.attendees.template],
        [['followUps', 'noShows', 'template'], document.followUps.noShows.template],
      ];
  }
}
