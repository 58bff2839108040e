/**
 * Product usage coming in, by either path: the ingest API's body `{ "usage": [record, ...] }`
 * (http/usage-ingest-routes.ts) and an EventBridge event whose `detail-type` is
 * `ProductUsageReported` and whose `detail` is one record. One parser for both, so they accept
 * and refuse exactly the same records, with the same messages naming the field
 * (`usage[3].metrics.seats_used: expected a number, got "12"`).
 *
 * Then `ingestUsage`, the use case both paths call: every record is checked against the store
 * (known account, and a contact of that account when one is named) before anything is written,
 * so a request with one bad record writes nothing. And `usageEngagementEvents`, the engagement
 * signal each usage record also is, for the caller to record through the engagement path.
 */
import { z } from 'zod';
import { externalIdSchema } from '../customers/account.ts';
import { formatPath } from '../config/problems.ts';
import type { CustomerStore, EngagementRecorder, UsageStore } from '../ports.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import { usageRecordIdOf, type UsageRecord, type UsageWriteOutcome } from './usage.ts';

/** The EventBridge `detail-type` of a usage record. */
export const PRODUCT_USAGE_DETAIL_TYPE = 'ProductUsageReported';
/** Records one ingest request may carry. */
export const MAX_USAGE_RECORDS = 1000;
/**
 * How far ahead of the engine's clock a record's `at` may be (clock skew between systems). A record
 * dated later would hold its metrics' latest values until that time: every true figure sent
 * before then would count as older and be ignored.
 */
export const MAX_USAGE_CLOCK_SKEW_MS = 5 * 60_000;

export interface UsageParseContext {
  /** The usage metrics the config declares (scoring.yaml health.metrics); others are refused. */
  metrics: readonly string[];
  now: Date;
}

/** A field that is wrong, e.g. `{ path: 'usage[3].metrics.seats_used', message: 'expected a number, got "12"' }`. */
export interface UsageProblem {
  path: string;
  message: string;
}

/** Records that passed the parser, with where each came from (`usage[3]`, `detail`) for later problems. */
export interface ParsedUsage {
  records: UsageRecord[];
  sources: string[];
}

export type UsageParse = { ok: true; usage: ParsedUsage } | { ok: false; problems: UsageProblem[] };

const describeValue = (value: unknown) => (value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value)));

const requiredId = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `required: the ${what}` : `expected the ${what} as a string, got ${describeValue(issue.input)}`) })
    .pipe(externalIdSchema);

const instantSchema = z.iso.datetime({
  offset: true,
  error: (issue) => `${issue.input === undefined ? 'required: ' : ''}expected an ISO-8601 time with an offset, e.g. 2026-12-10T14:05:00+09:00${issue.input === undefined ? '' : `, got ${describeValue(issue.input)}`}`,
});

function recordSchema(context: UsageParseContext) {
  const declared = new Set(context.metrics);
  const declaredList = [...declared].join(', ');
  const latestAllowed = context.now.getTime() + MAX_USAGE_CLOCK_SKEW_MS;
  return z
    .strictObject({
      accountId: requiredId('account id'),
      at: instantSchema,
      metrics: z
        .record(z.string(), z.unknown(), { error: (issue) => `expected an object of metric name to number, e.g. { "seats_used": 12 }, got ${describeValue(issue.input)}` })
        .superRefine((metrics, check) => {
          const entries = Object.entries(metrics);
          if (entries.length === 0) check.addIssue({ code: 'custom', message: `give at least one metric (${declaredList})` });
          for (const [name, value] of entries) {
            if (!declared.has(name)) check.addIssue({ code: 'custom', path: [name], message: `unknown metric '${name}': the declared metrics are ${declaredList}` });
            else if (typeof value !== 'number' || !Number.isFinite(value)) check.addIssue({ code: 'custom', path: [name], message: `expected a number, got ${describeValue(value)}` });
            else if (value < 0) check.addIssue({ code: 'custom', path: [name], message: `expected a number 0 or more, got ${value}` });
            // DynamoDB's document client refuses numbers it cannot store exactly.
            else if (value > Number.MAX_SAFE_INTEGER) check.addIssue({ code: 'custom', path: [name], message: `expected a number up to ${Number.MAX_SAFE_INTEGER}, got ${value}` });
          }
        })
        .transform((metrics) => metrics as Record<string, number>),
      contactId: requiredId('contact id').optional(),
      eventId: z
        .string({ error: (issue) => `expected a string, got ${describeValue(issue.input)}` })
        .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'expected an id of 1-128 letters, digits, . _ : -' })
        .optional(),
    })
    .superRefine((record, check) => {
      // zod runs this check even when `at` failed its format; such an `at` is already reported.
      if (instantSchema.safeParse(record.at).success && Date.parse(record.at) > latestAllowed) {
        check.addIssue({ code: 'custom', path: ['at'], message: `${record.at} is in the future (the engine's clock says ${context.now.toISOString()}): send figures once they are true` });
      }
    });
}

const bodySchema = z.strictObject(
  {
    usage: z
      .array(z.unknown(), { error: (issue) => (issue.input === undefined ? 'required: a list of usage records' : `expected a list of usage records, got ${describeValue(issue.input)}`) })
      .min(1, { error: 'send at least one usage record' })
      .max(MAX_USAGE_RECORDS, { error: `at most ${MAX_USAGE_RECORDS} records per request: split the batch` }),
  },
  { error: 'expected a JSON object: { "usage": [ { "accountId", "at", "metrics" }, ... ] }' },
);

const eventSchema = z.looseObject(
  {
    'detail-type': z.literal(PRODUCT_USAGE_DETAIL_TYPE, { error: (issue) => `expected '${PRODUCT_USAGE_DETAIL_TYPE}', got ${describeValue(issue.input)}` }),
    detail: z.unknown(),
  },
  { error: 'expected an EventBridge event' },
);

/** The ingest API's body: `{ "usage": [ { "accountId", "at", "metrics", "contactId"?, "eventId"? }, ... ] }`. */
export function parseUsageBody(body: unknown, context: UsageParseContext): UsageParse {
  const envelope = bodySchema.safeParse(body);
  if (!envelope.success) return { ok: false, problems: problemsOf(envelope.error, []) };
  return parseRecords(envelope.data.usage, (index) => ['usage', index], context);
}

/** An EventBridge event (`detail-type: ProductUsageReported`) whose detail is one usage record. */
export function parseUsageEvent(event: unknown, context: UsageParseContext): UsageParse {
  const envelope = eventSchema.safeParse(event);
  if (!envelope.success) return { ok: false, problems: problemsOf(envelope.error, []) };
  return parseRecords([envelope.data.detail], () => ['detail'], context);
}

function parseRecords(values: readonly unknown[], pathOf: (index: number) => PropertyKey[], context: UsageParseContext): UsageParse {
  const schema = recordSchema(context);
  const problems: UsageProblem[] = [];
  const usage: ParsedUsage = { records: [], sources: [] };
  values.forEach((value, index) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) return void problems.push(...problemsOf(parsed.error, pathOf(index)));
    const { accountId, metrics, contactId, eventId } = parsed.data;
    usage.records.push({
      accountId,
      at: new Date(parsed.data.at).toISOString(),
      metrics,
      ...(contactId === undefined ? {} : { contactId }),
      ...(eventId === undefined ? {} : { eventId }),
      recordId: usageRecordIdOf({ metrics, contactId, eventId }),
    });
    usage.sources.push(formatPath(pathOf(index)));
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, usage };
}

function problemsOf(error: z.ZodError, prefix: readonly PropertyKey[]): UsageProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...prefix, ...issue.path, key]), message: `unknown field '${key}'` }))
      : [{ path: formatPath([...prefix, ...issue.path]) || 'body', message: issue.message }],
  );
}

/** One problem per line of text, as the ingest API's `error` and a handler's log show them. */
export function formatUsageProblems(problems: readonly UsageProblem[], shown = 20): string {
  const text = problems.slice(0, shown).map((problem) => `${problem.path}: ${problem.message}`);
  if (problems.length > shown) text.push(`(and ${problems.length - shown} more)`);
  return text.join('; ');
}

export interface UsageIntakeDeps {
  usage: Pick<UsageStore, 'recordUsage'>;
  customers: Pick<CustomerStore, 'existingAccountIds' | 'getContacts'>;
}

export type UsageIntake = ({ ok: true; records: UsageRecord[] } & UsageWriteOutcome) | { ok: false; problems: UsageProblem[] };

/**
 * Stores parsed usage when every record names a known account (and, if it names a contact, a
 * contact of that account); otherwise writes nothing and names each record that does not.
 * Idempotent: records already stored are counted as duplicates and change nothing.
 */
export async function ingestUsage(parsed: ParsedUsage, deps: UsageIntakeDeps): Promise<UsageIntake> {
  const problems = await referenceProblems(parsed, deps.customers);
  if (problems.length > 0) return { ok: false, problems };
  const outcome = await deps.usage.recordUsage(parsed.records);
  return { ok: true, records: parsed.records, ...outcome };
}

async function referenceProblems(parsed: ParsedUsage, customers: UsageIntakeDeps['customers']): Promise<UsageProblem[]> {
  const accountIds = [...new Set(parsed.records.map((record) => record.accountId))];
  const contactIds = [...new Set(parsed.records.flatMap((record) => (record.contactId === undefined ? [] : [record.contactId])))];
  const [accounts, contacts] = await Promise.all([customers.existingAccountIds(accountIds), contactIds.length > 0 ? customers.getContacts(contactIds) : Promise.resolve(new Map())]);
  const problems: UsageProblem[] = [];
  parsed.records.forEach((record, index) => {
    const source = parsed.sources[index] ?? `record ${index}`;
    const at = (field: string) => (source === '' ? field : `${source}.${field}`);
    if (!accounts.has(record.accountId)) {
      problems.push({ path: at('accountId'), message: `unknown account '${record.accountId}': import the account first (POST /api/ingest/customers or npm run import)` });
    } else if (record.contactId !== undefined) {
      const contact = contacts.get(record.contactId);
      if (!contact) problems.push({ path: at('contactId'), message: `unknown contact '${record.contactId}'` });
      else if (contact.accountId !== record.accountId) problems.push({ path: at('contactId'), message: `contact '${record.contactId}' belongs to account '${contact.accountId}', not '${record.accountId}'` });
    }
  });
  return problems;
}

/**
 * Product usage as an engagement signal: one `product-usage` event per record that names a
 * contact (an engagement event is a contact's; account-level figures feed the health score only),
 * at the record's time, with its figures as detail. The event id is derived from the record, so
 * a record received twice gives the same event, which the engagement path stores once. The caller
 * records these through the engagement path; this module writes no events or scores.
 */
export function usageEngagementEvents(records: readonly UsageRecord[]): EngagementEvent[] {
  return records.flatMap((record): EngagementEvent[] =>
    record.contactId === undefined
      ? []
      : [
          {
            eventId: `product-usage:${record.accountId}:${record.at}:${record.recordId}`,
            type: 'product-usage',
            contactId: record.contactId,
            accountId: record.accountId,
            occurredAt: record.at,
            machine: false,
            detail: { ...record.metrics },
          },
        ],
  );
}

/** Usage that names a contact is also an engagement signal: recorded (and scored) through the one path, once per record. */
export async function recordUsageSignals(records: readonly UsageRecord[], engagement: EngagementRecorder): Promise<number> {
  let recorded = 0;
  for (const event of usageEngagementEvents(records)) if (await engagement.recordEvent(event)) recorded++;
  return recorded;
}
