/**
 * What one config file refers to and what it declares, read leniently from the raw YAML,
 * so references are checked even in a file that has other mistakes: one run of validate
 * reports every mistake, not only the first file's.
 */
import { ATTRIBUTE_TYPES, type AttributeType } from './schema/attributes.ts';
import { LOCALES, type Locale } from './schema/common.ts';

export type FieldPath = PropertyKey[];

export interface MessageReferences {
  kind: 'campaign' | 'sequence' | 'webinar-policy';
  id?: string;
  sender?: string;
  topic?: string;
  locales: Locale[];
  fallbackLocale?: Locale;
  templates: Array<[FieldPath, string]>;
  bands: Array<[FieldPath, string]>;
  /** Product lists of segments (productsOwned / productsNotOwned), by path. */
  products: Array<[FieldPath, unknown]>;
  /** Attribute filters of segments (`attributes` of contacts, `accountAttributes`), by path. */
  attributeFilters: Array<{ path: FieldPath; of: AttributeOwner; filter: unknown }>;
  steps: Array<{ id?: string; when?: Record<string, unknown> }>;
  /** Webinars the message invites to (campaign `invites`, sequence steps' `invites`), by path. */
  invites: Array<[FieldPath, string]>;
  /** Surveys the message asks (campaign `survey`, sequence steps' `survey`), by path. */
  surveys: Array<[FieldPath, string]>;
}

/** What the singleton files declare; a field is undefined when that file is missing entirely. */
export interface Declarations {
  senders?: Map<string, Set<string>>;
  topics?: Set<string>;
  products?: Set<string>;
  bands?: Set<string>;
  /** Declared custom attributes by id, per owner; undefined when there is no attributes file. */
  attributes?: Record<AttributeOwner, Map<string, DeclaredAttribute>>;
  /** Webinar policies by id, with the locales they are written in (read from every webinar-policy file). */
  webinarPolicies?: Map<string, Locale[]>;
  /** Webinar ids (every webinar file). */
  webinars?: Set<string>;
  /** Usage metrics the scoring file declares (health.metrics). */
  usageMetrics?: Set<string>;
  /** Survey ids (every survey file). */
  surveys?: Set<string>;
}

export type AttributeOwner = 'contact' | 'account';

/** What a segment needs to know of a declared attribute to check the values it names. */
export interface DeclaredAttribute {
  type: AttributeType;
  values?: string[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const isLocale = (value: unknown): value is Locale => (LOCALES as readonly unknown[]).includes(value);

export function messageReferences(raw: Record<string, unknown>): MessageReferences | undefined {
  const kind = raw.kind;
  if (kind !== 'campaign' && kind !== 'sequence' && kind !== 'webinar-policy') return undefined;
  const templates: Array<[FieldPath, string]> = [];
  const addTemplate = (path: FieldPath, value: unknown) => {
    const id = text(value);
    if (id) templates.push([path, id]);
  };
  const bands: Array<[FieldPath, string]> = [];
  const addBands = (path: FieldPath, value: unknown) =>
    list(value).forEach((band, index) => {
      if (typeof band === 'string') bands.push([[...path, index], band]);
    });
  const products: Array<[FieldPath, unknown]> = [];
  const addProducts = (path: FieldPath, audience: unknown) => {
    for (const key of ['productsOwned', 'productsNotOwned']) {
      const named = record(audience)[key];
      if (named !== undefined) products.push([[...path, key], named]);
    }
  };
  const attributeFilters: MessageReferences['attributeFilters'] = [];
  const addAttributeFilters = (path: FieldPath, audience: unknown) => {
    for (const [key, of] of [['attributes', 'contact'], ['accountAttributes', 'account']] as const) {
      const filter = record(audience)[key];
      if (filter !== undefined) attributeFilters.push({ path: [...path, key], of, filter });
    }
  };
  const steps = list(raw.steps).map((step) => ({ id: text(record(step).id), when: record(record(step).when) }));
  const invites: Array<[FieldPath, string]> = [];
  const addInvite = (path: FieldPath, value: unknown) => {
    const id = text(value);
    if (id) invites.push([path, id]);
  };
  const surveys: Array<[FieldPath, string]> = [];
  const addSurvey = (path: FieldPath, value: unknown) => {
    const id = text(value);
    if (id) surveys.push([path, id]);
  };
  if (kind === 'campaign') {
    addTemplate(['template'], raw.template);
    addInvite(['invites'], raw.invites);
    addSurvey(['survey'], raw.survey);
    addBands(['audience', 'engagementBands'], record(raw.audience).engagementBands);
    addProducts(['audience'], raw.audience);
    addAttributeFilters(['audience'], raw.audience);
  } else if (kind === 'sequence') {
    list(raw.steps).forEach((step, index) => {
      addTemplate(['steps', index, 'template'], record(step).template);
      addInvite(['steps', index, 'invites'], record(step).invites);
      addSurvey(['steps', index, 'survey'], record(step).survey);
    });
    addBands(['enrollment', 'audience', 'engagementBands'], record(record(raw.enrollment).audience).engagementBands);
    addProducts(['enrollment', 'audience'], record(raw.enrollment).audience);
    addAttributeFilters(['enrollment', 'audience'], record(raw.enrollment).audience);
  } else {
    addTemplate(['confirmation', 'template'], record(raw.confirmation).template);
    list(raw.reminders).forEach((reminder, index) => addTemplate(['reminders', index, 'template'], record(reminder).template));
    const followUps = record(raw.followUps);
    addTemplate(['followUps', 'attendees', 'template'], record(followUps.attendees).template);
    addTemplate(['followUps', 'noShows', 'template'], record(followUps.noShows).template);
    list(followUps.variants).forEach((variant, index) => addTemplate(['followUps', 'variants', index, 'template'], record(variant).template));
    addTemplate(['cancellation', 'template'], record(raw.cancellation).template);
    if (raw.rescheduled !== undefined) addTemplate(['rescheduled', 'template'], record(raw.rescheduled).template);
  }
  const fallbackLocale = isLocale(raw.fallbackLocale) ? raw.fallbackLocale : undefined;
  const id = text(raw.id);
  const sender = text(raw.sender);
  const topic = text(raw.topic);
  return {
    kind,
    ...(id ? { id } : {}),
    ...(sender ? { sender } : {}),
    ...(topic ? { topic } : {}),
    locales: list(raw.locales).filter(isLocale),
    ...(fallbackLocale ? { fallbackLocale } : {}),
    templates,
    bands,
    products,
    attributeFilters,
    steps: kind === 'sequence' ? steps : [],
    invites,
    surveys,
  };
}

/** Adds what a singleton file declares (ids of senders, topics, bands, attributes) to `into`. */
export function collectDeclarations(raw: Record<string, unknown>, into: Declarations): void {
  const ids = (items: unknown) => list(items).map((item) => text(record(item).id)).filter((id): id is string => id !== undefined);
  if (raw.kind === 'senders') {
    into.senders ??= new Map();
    for (const identity of list(raw.identities)) {
      const id = text(record(identity).id);
      if (id) into.senders.set(id, new Set(Object.keys(record(record(identity).displayName))));
    }
  } else if (raw.kind === 'products') {
    into.products = new Set([...(into.products ?? []), ...ids(raw.products)]);
  } else if (raw.kind === 'topics') {
    into.topics = new Set([...(into.topics ?? []), ...ids(raw.topics)]);
  } else if (raw.kind === 'scoring') {
    into.bands = new Set([...(into.bands ?? []), ...ids(raw.bands)]);
    into.usageMetrics = new Set([...(into.usageMetrics ?? []), ...list(record(raw.health).metrics).filter((metric): metric is string => typeof metric === 'string')]);
  } else if (raw.kind === 'webinar-policy') {
    const id = text(raw.id);
    if (id) (into.webinarPolicies ??= new Map()).set(id, list(raw.locales).filter(isLocale));
  } else if (raw.kind === 'webinar') {
    const id = text(raw.id);
    if (id) (into.webinars ??= new Set()).add(id);
  } else if (raw.kind === 'survey') {
    const id = text(raw.id);
    if (id) (into.surveys ??= new Set()).add(id);
  } else if (raw.kind === 'attributes') {
    into.attributes ??= { contact: new Map(), account: new Map() };
    for (const of of ['contact', 'account'] as const) {
      for (const item of list(raw[of])) {
        const id = text(record(item).id);
        const type = record(item).type;
        if (!id || !(ATTRIBUTE_TYPES as readonly unknown[]).includes(type)) continue;
        const values = list(record(item).values).filter((value): value is string => typeof value === 'string');
        into.attributes[of].set(id, { type: type as AttributeType, ...(values.length > 0 ? { values } : {}) });
      }
    }
  }
}
