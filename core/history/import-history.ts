/**
 * Use case: backfill engagement history (docs/history-import.md). Lines come in as a stream and are
 * handled in bounded batches: parsed (either format), matched to contacts (by id or through the
 * unique email look-up), opens and clicks judged by the live machine-traffic classifier
 * (machine-window.ts), and every event recorded through the one engagement path (`recordEvent`),
 * which stores it once and moves the scores with it. Usage lines go through the usage ingest and
 * its engagement signal. A hard bounce, a complaint or an unsubscribe also suppresses the address,
 * before its event is recorded, as the live path does: a retry finds the suppression and completes.
 *
 * Idempotent: an event's id comes from its source id or its content, never from the line number or
 * the run, so importing the same file again records nothing and moves no score. A bad line is
 * refused with its line number and field and nothing of it is written; the other lines go on.
 * Memory stays flat in the file's size: one batch, the window's open groups and a bounded contact
 * cache at a time.
 */
import { createHash } from 'node:crypto';
import { mapBounded } from '../bounded-parallel.ts';
import type { Clock, CustomerStore, EngagementRecorder, SuppressionStore, UsageStore } from '../ports.ts';
import { ingestUsage, parseUsageEvent, PRODUCT_USAGE_DETAIL_TYPE, usageEngagementEvents } from '../scoring/usage-event.ts';
import type { UsageRecord } from '../scoring/usage.ts';
import { RAW_EVENT_RETENTION_DAYS, type EngagementEvent } from '../tracking/engagement-event.ts';
import type { Suppression } from '../tracking/suppression.ts';
import { parseHistoryLine, type HistoryEntry, type LineProblem } from './history-line.ts';
import { MachineTrafficWindow, type Classified, type MachineWindowOptions } from './machine-window.ts';

export interface HistoryLine {
  /** 1-based, as an editor shows it. */
  line: number;
  text: string;
}

export interface HistoryImportDeps {
  customers: Pick<CustomerStore, 'contactIdsByEmail' | 'getContacts' | 'existingAccountIds'>;
  engagement: EngagementRecorder;
  suppressions: Pick<SuppressionStore, 'suppress'>;
  usage: Pick<UsageStore, 'recordUsage'>;
  /** The usage metrics the config declares (scoring.yaml health.metrics). */
  metrics: readonly string[];
  clock: Clock;
  machine?: MachineWindowOptions;
  /** Lines per batch (default 2,000). */
  batchSize?: number;
  /** Accounts written at once (default 16); one account's events go one after another, so its score items never collide. */
  concurrency?: number;
  /** Called after every batch with the counts so far. */
  onProgress?: (report: Readonly<HistoryImportReport>) => void;
}

export interface RefusedLine {
  line: number;
  problems: LineProblem[];
}

export interface HistoryImportReport {
  /** Lines read (empty lines included). */
  lines: number;
  recorded: number;
  /** Recorded as machine traffic (counted, no score): part of `recorded`. */
  machine: number;
  /** Already recorded (an earlier import, or the same event twice in the file). */
  duplicates: number;
  refused: number;
  /** Lines whose contact the engine does not know: nothing written. */
  unknownContacts: number;
  /** Lines that are not engine events (a Pinpoint SMS record) or too old to keep, by reason. */
  skipped: Record<string, number>;
  /** Addresses newly suppressed (hard bounce, complaint, unsubscribe). */
  suppressed: number;
  /** The first refused lines with their problems (`refused` counts them all). */
  refusedLines: RefusedLine[];
  /** The first line numbers of unknown contacts. */
  unknownContactLines: number[];
}

export const REPORTED_REFUSALS = 50;
export const REPORTED_UNKNOWN_LINES = 20;
const CONTACT_CACHE_SIZE = 50_000;
/** A line dated later than this past the engine's clock is refused (another system's clock skew is allowed). */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
const TOO_OLD = `older than the ${RAW_EVENT_RETENTION_DAYS}-day event retention`;

interface Resolved {
  line: number;
  entry: HistoryEntry;
  contactId: string;
  accountId: string;
  email: string;
}

interface KnownContact {
  accountId: string;
  email: string;
}

export function emptyHistoryReport(): HistoryImportReport {
  return { lines: 0, recorded: 0, machine: 0, duplicates: 0, refused: 0, unknownContacts: 0, skipped: {}, suppressed: 0, refusedLines: [], unknownContactLines: [] };
}

export async function importHistory(lines: AsyncIterable<HistoryLine>, deps: HistoryImportDeps): Promise<HistoryImportReport> {
  const report = emptyHistoryReport();
  const window = new MachineTrafficWindow<Resolved>(deps.machine);
  const contacts = new BoundedCache<string, KnownContact | null>(CONTACT_CACHE_SIZE);
  const owners = new BoundedCache<string, string | null>(CONTACT_CACHE_SIZE);
  const batchSize = deps.batchSize ?? 2000;
  const refuse = (line: number, problems: LineProblem[]) => {
    report.refused++;
    if (report.refusedLines.length < REPORTED_REFUSALS) report.refusedLines.push({ line, problems });
  };
  const skip = (reason: string) => void (report.skipped[reason] = (report.skipped[reason] ?? 0) + 1);

  let batch: HistoryLine[] = [];
  const processBatch = async (final: boolean) => {
    const now = deps.clock.now().getTime();
    const oldest = now - RAW_EVENT_RETENTION_DAYS * 86_400_000;
    const parsed: { line: number; entry: HistoryEntry }[] = [];
    for (const { line, text } of batch) {
      const parse = parseHistoryLine(text);
      if (parse.ok === 'skip') skip(parse.reason);
      else if (!parse.ok) refuse(line, parse.problems);
      else if (Date.parse(parse.entry.occurredAt) > now + MAX_FUTURE_SKEW_MS) refuse(line, [{ field: parse.entry.format === 'jsonl' ? 'time' : 'arrival_timestamp', message: `${parse.entry.occurredAt} is in the future (the engine's clock says ${new Date(now).toISOString()})` }]);
      // Its stored event would expire at once (TTL), and with it what makes a re-import record nothing.
      else if (Date.parse(parse.entry.occurredAt) < oldest) skip(TOO_OLD);
      else parsed.push({ line, entry: parse.entry });
    }
    batch = [];
    const resolved = await resolveContacts(parsed, deps.customers, contacts, owners);
    const ready: Classified<Resolved>[] = [];
    for (const [index, item] of resolved.entries()) {
      if (item) ready.push(...window.add(item));
      else {
        report.unknownContacts++;
        const line = (parsed[index] as { line: number }).line;
        if (report.unknownContactLines.length < REPORTED_UNKNOWN_LINES) report.unknownContactLines.push(line);
      }
    }
    if (final) ready.push(...window.flush());
    await recordReady(ready, deps, report, refuse, now);
    deps.onProgress?.(report);
  };

  for await (const line of lines) {
    report.lines++;
    if (line.text.trim() === '') continue;
    batch.push(line);
    if (batch.length >= batchSize) await processBatch(false);
  }
  await processBatch(true);
  return report;
}

/** Each entry's contact, or undefined when the engine does not know it. Looks up only what the caches lack. */
async function resolveContacts(
  parsed: readonly { line: number; entry: HistoryEntry }[],
  customers: HistoryImportDeps['customers'],
  contacts: BoundedCache<string, KnownContact | null>,
  owners: BoundedCache<string, string | null>,
): Promise<(Resolved | undefined)[]> {
  const emails = [...new Set(parsed.flatMap(({ entry }) => ('email' in entry.contact && !owners.has(entry.contact.email) ? [entry.contact.email] : [])))];
  if (emails.length > 0) {
    const found = await customers.contactIdsByEmail(emails);
    for (const email of emails) owners.set(email, found.get(email) ?? null);
  }
  const contactIdOf = (entry: HistoryEntry) => ('contactId' in entry.contact ? entry.contact.contactId : (owners.get(entry.contact.email) ?? undefined));
  const ids = [...new Set(parsed.flatMap(({ entry }) => {
    const id = contactIdOf(entry);
    return id !== undefined && !contacts.has(id) ? [id] : [];
  }))];
  if (ids.length > 0) {
    const found = await customers.getContacts(ids);
    for (const id of ids) {
      const contact = found.get(id);
      contacts.set(id, contact ? { accountId: contact.accountId, email: contact.email } : null);
    }
  }
  return parsed.map(({ line, entry }) => {
    const contactId = contactIdOf(entry);
    const contact = contactId === undefined ? undefined : contacts.get(contactId);
    return contactId !== undefined && contact ? { line, entry, contactId, accountId: contact.accountId, email: contact.email } : undefined;
  });
}

interface Write {
  event: EngagementEvent;
  suppression?: Suppression;
}

async function recordReady(
  ready: readonly Classified<Resolved>[],
  deps: HistoryImportDeps,
  report: HistoryImportReport,
  refuse: (line: number, problems: LineProblem[]) => void,
  now: number,
): Promise<void> {
  const writes: Write[] = [];
  const usage: UsageRecord[] = [];
  for (const classified of ready) {
    const { item } = classified;
    if (item.entry.type !== 'product-usage') {
      writes.push(writeOf(classified));
      continue;
    }
    const record = usageRecordOf(item, deps.metrics, now);
    if ('problems' in record) refuse(item.line, record.problems);
    else usage.push(record);
  }
  // The usage ingest checks its references and stores each record once; then its engagement signal.
  for (let start = 0; start < usage.length; start += 1000) {
    const chunk = usage.slice(start, start + 1000);
    const intake = await ingestUsage({ records: chunk, sources: chunk.map(() => '') }, deps);
    if (!intake.ok) throw new HistoryImportError(`usage records refused by the store check although their contacts were found: ${intake.problems.map((problem) => problem.message).join('; ')}`);
  }
  writes.push(...usageEngagementEvents(usage).map((event) => ({ event })));

  const byAccount = new Map<string, Write[]>();
  for (const write of writes) {
    const list = byAccount.get(write.event.accountId);
    if (list) list.push(write);
    else byAccount.set(write.event.accountId, [write]);
  }
  await mapBounded([...byAccount.values()], deps.concurrency ?? 16, async (accountWrites) => {
    for (const { event, suppression } of accountWrites) {
      // The suppression first: a retry after a failure in between finds it and records the event.
      if (suppression && (await deps.suppressions.suppress(suppression))) report.suppressed++;
      if (await deps.engagement.recordEvent(event)) {
        report.recorded++;
        if (event.machine) report.machine++;
      } else report.duplicates++;
    }
  });
}

function writeOf({ item, machine, machineReason, linkPosition }: Classified<Resolved>): Write {
  const { entry } = item;
  const eventId = eventIdOf(item);
  const detail: EngagementEvent['detail'] = { importedFrom: entry.format };
  if (machineReason !== undefined) detail.machineReason = machineReason;
  if (entry.type === 'click') {
    // As live clicks store them (core/tracking/recipient-clicks.ts), but no `clientKey`: these
    // emails were sent by another platform, so no live click of ours will be compared with them.
    if (linkPosition !== undefined) detail.link = linkPosition;
    if (entry.link !== undefined) detail.host = new URL(entry.link).host;
    detail.at = entry.occurredAt;
    if (entry.honeypot === true) detail.honeypot = true;
  }
  if (entry.bounceType !== undefined) detail.bounceType = entry.bounceType;
  if (entry.watchMinutes !== undefined) detail.watchMinutes = entry.watchMinutes;
  if (entry.watchShare !== undefined) detail.watchShare = entry.watchShare;
  if (entry.webinarId !== undefined) detail.webinarId = entry.webinarId;
  if (entry.sessionId !== undefined) detail.sessionId = entry.sessionId;
  const event: EngagementEvent = {
    eventId,
    type: entry.type,
    contactId: item.contactId,
    accountId: item.accountId,
    occurredAt: entry.occurredAt,
    ...(entry.campaignId ?? entry.webinarId ? { campaignId: (entry.campaignId ?? entry.webinarId) as string } : {}),
    ...(entry.sessionId === undefined ? {} : { runId: entry.sessionId }),
    machine,
    detail,
  };
  const reason = entry.type === 'complaint' ? 'complaint' : entry.type === 'unsubscribe' ? 'unsubscribe' : entry.type === 'bounce' && entry.bounceType === 'hard' ? 'hard-bounce' : undefined;
  return reason === undefined ? { event } : { event, suppression: { email: item.email, reason, suppressedAt: entry.occurredAt, source: `history:${eventId}` } };
}

/**
 * From the line's identity, never its position or the run. A webinar event naming its session has
 * the id the live path gives it, so history and live recording of the same attendance meet once.
 */
export function eventIdOf(item: { entry: HistoryEntry; contactId: string }): string {
  const { entry } = item;
  if (entry.webinarId !== undefined && entry.sessionId !== undefined && entry.type.startsWith('webinar-') && entry.type !== 'webinar-survey') {
    return `${entry.type}:${entry.webinarId}:${entry.sessionId}:${item.contactId}`;
  }
  return `history:${entry.type}:${createHash('sha256').update(entry.identity).digest('base64url').slice(0, 27)}`;
}

/** A usage line as a usage record, through the same parser as the ingest API and the EventBridge event. */
function usageRecordOf(item: Resolved, metrics: readonly string[], now: number): UsageRecord | { problems: LineProblem[] } {
  const eventId = `history-${createHash('sha256').update(item.entry.identity).digest('hex').slice(0, 32)}`;
  const detail = { accountId: item.accountId, at: item.entry.occurredAt, metrics: item.entry.figures ?? {}, contactId: item.contactId, eventId };
  const parsed = parseUsageEvent({ 'detail-type': PRODUCT_USAGE_DETAIL_TYPE, detail }, { metrics, now: new Date(now) });
  if (!parsed.ok) return { problems: parsed.problems.map((problem) => ({ field: problem.path.replace(/^detail\.metrics/, 'figures').replace(/^detail\.at/, 'time'), message: problem.message })) };
  return parsed.usage.records[0] as UsageRecord;
}

export class HistoryImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryImportError';
  }
}

/** A map that forgets its least recently used entries past `capacity`: repeated contacts are looked up once, memory stays bounded. */
class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}
  has(key: K): boolean {
    return this.entries.has(key);
  }
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}
