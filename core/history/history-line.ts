/**
 * One line of a history file (docs/history-import.md), read into a `HistoryEntry`: the engine's own
 * JSONL format, or an Amazon Pinpoint email event-stream record (detected per line by its
 * `event_type`; pinpoint-event-record.ts). Pure: nothing is looked up or written here. A bad line
 * gives problems naming the field (`time: expected an ISO-8601 time with an offset ...`), which the
 * import reports with the line number.
 */
import { z } from 'zod';
import { formatPath } from '../config/problems.ts';
import type { EngagementEventType } from '../tracking/engagement-event.ts';
import { isPinpointRecord, parsePinpointRecord } from './pinpoint-event-record.ts';

/** The `type` values of the JSONL format and the engagement event type each becomes (usage: product-usage). */
export const HISTORY_TYPES = {
  send: 'send',
  delivered: 'delivery',
  open: 'open',
  click: 'click',
  bounce: 'bounce',
  complaint: 'complaint',
  reject: 'reject',
  'rendering-failure': 'rendering-failure',
  unsubscribe: 'unsubscribe',
  'webinar-registered': 'webinar-registered',
  'webinar-attended': 'webinar-attended',
  'webinar-no-show': 'webinar-no-show',
  'webinar-survey': 'webinar-survey',
  usage: 'product-usage',
} as const satisfies Record<string, EngagementEventType>;

export type HistoryType = keyof typeof HISTORY_TYPES;
const TYPE_NAMES = Object.keys(HISTORY_TYPES) as [HistoryType, ...HistoryType[]];

/** Who the line is about: the engine's contact id, or an address (matched through the unique email look-up). */
export type ContactReference = { contactId: string } | { email: string };

/** A history line as the import uses it, whatever format it came in. */
export interface HistoryEntry {
  format: 'jsonl' | 'pinpoint';
  contact: ContactReference;
  type: EngagementEventType;
  /** ISO-8601 UTC. */
  occurredAt: string;
  campaignId?: string;
  webinarId?: string;
  sessionId?: string;
  /** The email this open or click belongs to: groups a recipient's opens and clicks for the context rules. */
  messageId?: string;
  /** When that email was sent (ISO UTC), for the "too soon after the send" rules. */
  sentAt?: string;
  link?: string;
  userAgent?: string;
  ip?: string;
  method?: 'GET' | 'HEAD';
  honeypot?: boolean;
  bounceType?: 'hard' | 'soft';
  watchMinutes?: number;
  watchShare?: number;
  figures?: Record<string, number>;
  /**
   * What makes this event itself: the source's id when it gave one, else the line's content in a
   * fixed order (never the line number), so the same event imported again gets the same event id.
   */
  identity: string;
}

export interface LineProblem {
  /** The field as the line spells it (`time`, `figures.seats_used`, `facets.email_channel.mail_event.click.link`); '' for the whole line. */
  field: string;
  message: string;
}

export type LineParse = { ok: true; entry: HistoryEntry } | { ok: false; problems: LineProblem[] } | { ok: 'skip'; reason: string };

const describe = (value: unknown) => (value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value)));
const text = (what: string, max = 256) =>
  z.string({ error: (issue) => `expected ${what} as a string, got ${describe(issue.input)}` }).trim().min(1, { error: `${what} must not be empty` }).max(max);

export const instantSchema = z.iso.datetime({
  offset: true,
  error: (issue) => `expected an ISO-8601 time with an offset, e.g. 2026-03-10T14:05:00+09:00${issue.input === undefined ? '' : `, got ${describe(issue.input)}`}`,
});

const jsonlLineSchema = z
  .strictObject({
    contactId: text('a contact id', 64).optional(),
    email: z.email({ error: (issue) => `expected an email address, got ${describe(issue.input)}` }).optional(),
    type: z.enum(TYPE_NAMES, { error: (issue) => `expected a type (${TYPE_NAMES.join(', ')}), got ${describe(issue.input)}` }),
    time: instantSchema,
    campaign: text('a campaign id', 128).optional(),
    webinar: text('a webinar id', 128).optional(),
    session: text('a session id', 128).optional(),
    messageId: text('a message id').optional(),
    sentAt: instantSchema.optional(),
    link: z.url({ error: (issue) => `expected a URL like https://example.com/page, got ${describe(issue.input)}` }).optional(),
    userAgent: z.string({ error: (issue) => `expected a string, got ${describe(issue.input)}` }).max(1024).optional(),
    ip: z.union([z.ipv4(), z.ipv6()], { error: (issue) => `expected an IPv4 or IPv6 address, got ${describe(issue.input)}` }).optional(),
    method: z.enum(['GET', 'HEAD'], { error: (issue) => `expected GET or HEAD, got ${describe(issue.input)}` }).optional(),
    honeypot: z.boolean({ error: (issue) => `expected true or false, got ${describe(issue.input)}` }).optional(),
    bounceType: z.enum(['hard', 'soft'], { error: (issue) => `expected hard or soft, got ${describe(issue.input)}` }).optional(),
    watchMinutes: z.number({ error: (issue) => `expected a number of minutes, got ${describe(issue.input)}` }).min(0).max(24 * 60).optional(),
    watchShare: z.number({ error: (issue) => `expected a share from 0 to 1, got ${describe(issue.input)}` }).min(0).max(1).optional(),
    figures: z.record(z.string(), z.number({ error: (issue) => `expected a number, got ${describe(issue.input)}` }), {
      error: (issue) => `expected an object of metric name to number, e.g. { "logins_30d": 12 }, got ${describe(issue.input)}`,
    }).optional(),
    sourceId: text('a source id').optional(),
  })
  .superRefine((line, check) => {
    const problem = (path: string, message: string) => check.addIssue({ code: 'custom', path: [path], message });
    if ((line.contactId === undefined) === (line.email === undefined)) problem('contactId', 'give exactly one of contactId or email');
    const only = (field: keyof typeof line, types: readonly HistoryType[]) => {
      if (line[field] !== undefined && !types.includes(line.type)) problem(field, `only for type ${types.join(' or ')}, not ${line.type}`);
    };
    only('link', ['click']);
    only('honeypot', ['click']);
    only('method', ['open', 'click']);
    only('bounceType', ['bounce']);
    only('watchMinutes', ['webinar-attended']);
    only('watchShare', ['webinar-attended']);
    only('figures', ['usage']);
    only('session', ['webinar-registered', 'webinar-attended', 'webinar-no-show', 'webinar-survey']);
    if (line.type === 'click' && line.link === undefined) problem('link', 'required for a click: the URL that was clicked');
    if (line.type === 'bounce' && line.bounceType === undefined) problem('bounceType', 'required for a bounce: hard (suppresses the address) or soft');
    if (line.type === 'usage' && (line.figures === undefined || Object.keys(line.figures).length === 0)) problem('figures', 'required for usage: e.g. { "logins_30d": 12 }');
    if (line.type.startsWith('webinar-') && line.webinar === undefined) problem('webinar', `required for ${line.type}: the webinar id`);
    if (line.webinar !== undefined && !line.type.startsWith('webinar-')) problem('webinar', `only for webinar types, not ${line.type} (use campaign)`);
  });

/** Reads one non-empty line of a history file. */
export function parseHistoryLine(line: string): LineParse {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, problems: [{ field: '', message: `not JSON: ${(error as Error).message}` }] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problems: [{ field: '', message: `expected a JSON object, got ${describe(value)}` }] };
  if (isPinpointRecord(value)) return parsePinpointRecord(value);
  const parsed = jsonlLineSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const fields = parsed.data;
  const entry: HistoryEntry = {
    format: 'jsonl',
    contact: fields.contactId !== undefined ? { contactId: fields.contactId } : { email: (fields.email as string).toLowerCase() },
    type: HISTORY_TYPES[fields.type],
    occurredAt: new Date(fields.time).toISOString(),
    ...(fields.campaign === undefined ? {} : { campaignId: fields.campaign }),
    ...(fields.webinar === undefined ? {} : { webinarId: fields.webinar }),
    ...(fields.session === undefined ? {} : { sessionId: fields.session }),
    ...(fields.messageId === undefined ? {} : { messageId: fields.messageId }),
    ...(fields.sentAt === undefined ? {} : { sentAt: new Date(fields.sentAt).toISOString() }),
    ...(fields.link === undefined ? {} : { link: fields.link }),
    ...(fields.userAgent === undefined ? {} : { userAgent: fields.userAgent }),
    ...(fields.ip === undefined ? {} : { ip: fields.ip }),
    ...(fields.method === undefined ? {} : { method: fields.method }),
    ...(fields.honeypot === undefined ? {} : { honeypot: fields.honeypot }),
    ...(fields.bounceType === undefined ? {} : { bounceType: fields.bounceType }),
    ...(fields.watchMinutes === undefined ? {} : { watchMinutes: fields.watchMinutes }),
    ...(fields.watchShare === undefined ? {} : { watchShare: fields.watchShare }),
    ...(fields.figures === undefined ? {} : { figures: fields.figures }),
    identity: '',
  };
  entry.identity = fields.sourceId !== undefined ? `source:${fields.sourceId}` : contentIdentity(entry);
  return { ok: true, entry };
}

/** The entry's content in a fixed field order: equal events give equal identities, whatever the key order or line ending. */
export function contentIdentity(entry: Omit<HistoryEntry, 'identity'>): string {
  const figures = entry.figures ? Object.entries(entry.figures).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : undefined;
  return JSON.stringify([
    entry.format,
    entry.contact,
    entry.type,
    entry.occurredAt,
    entry.campaignId ?? null,
    entry.webinarId ?? null,
    entry.sessionId ?? null,
    entry.messageId ?? null,
    entry.link ?? null,
    entry.userAgent ?? null,
    entry.ip ?? null,
    entry.method ?? null,
    entry.honeypot ?? null,
    entry.bounceType ?? null,
    entry.watchMinutes ?? null,
    entry.watchShare ?? null,
    figures ?? null,
  ]);
}

export function problemsOf(error: z.ZodError): LineProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: formatPath([...issue.path, key]), message: `unknown field '${key}' (see docs/history-import.md)` }))
      : [{ field: formatPath(issue.path), message: issue.message.replace(/^Invalid input: /, '') }],
  );
}

/** `line 12: time: expected ...; type: ...` */
export function formatLineProblems(problems: readonly LineProblem[]): string {
  return problems.map((problem) => (problem.field === '' ? problem.message : `${problem.field}: ${problem.message}`)).join('; ');
}
