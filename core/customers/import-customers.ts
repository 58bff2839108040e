/**
 * Use case: bring customers in (CSV import or the ingest API). Every record is checked first;
 * a bad record is reported with where it is and why, and is not written; good records are
 * upserted, and records identical to what is stored are left alone (`unchanged`), so
 * importing the same file twice changes nothing. An import writes only the fields the CRM owns
 * (docs/data-model.md); an address that belongs to another contact is refused, naming it.
 * Custom attributes must be declared (campaigns/attributes.yaml) and fit their type.
 * Records come in pages (`importCustomerPages`), so a million-row file is imported in flat memory;
 * `importCustomers` is the same import over records already in memory.
 */
import { mapBounded } from '../bounded-parallel.ts';
import type { Clock, CustomerStore, UpsertOutcome } from '../ports.ts';
import { accountSchema, type Account } from './account.ts';
import { contactSchema, type Contact } from './contact.ts';
import type { AttributeDeclaration } from '../config/schema/attributes.ts';
import { checkCustomAttributes } from './custom-attributes.ts';
import { FirstSeenLocations } from './first-seen-locations.ts';

/** Where a record came from: `accounts.csv` line 4, or `contacts[12]` in an API body. */
export interface RecordLocation {
  source: string;
  line?: number;
  index?: number;
}

export interface CandidateRecord {
  location: RecordLocation;
  /** The record with entity field names (accountId, tier, ...); values still unchecked. */
  value: unknown;
}

export interface RejectedRecord {
  location: RecordLocation;
  reason: string;
}

export interface OutcomeCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportReport {
  accounts: OutcomeCounts;
  contacts: OutcomeCounts;
  rejected: RejectedRecord[];
  /**
   * Every account this import wrote or confirmed, and the accounts of the contacts it wrote or
   * confirmed, `unchanged` ones included: enrollment is derived from their stored state, so a
   * retried import enrolls whoever the first attempt did not.
   */
  accountIds: string[];
}

/** The values the team's config declares, which imported records may use. */
export interface ImportCatalogue {
  products: readonly string[];
  topics: readonly string[];
  /** Declared custom attributes; a record's attribute values must be declared and fit the type. */
  attributes?: { contact: readonly AttributeDeclaration[]; account: readonly AttributeDeclaration[] };
}

export interface ImportInput {
  accounts: CandidateRecord[];
  contacts: CandidateRecord[];
  /** Names a field in messages the way the source spells it (CSV column `account_id`, JSON `accountId`). */
  fieldLabel?: (field: string) => string;
  /**
   * When given, a product or topic the config does not declare rejects the record, listing the
   * known ones. Without it, a record carrying custom attributes is rejected (their types are unknown).
   */
  catalogue?: ImportCatalogue;
}

const WRITE_CONCURRENCY = 16;

/** The products, topics and custom attributes the team's config declares. */
export function importCatalogueOf(config: {
  products: { products: Array<{ id: string }> };
  topics: { topics: Array<{ id: string }> };
  attributes?: { contact: AttributeDeclaration[]; account: AttributeDeclaration[] };
}): ImportCatalogue {
  return {
    products: config.products.products.map((product) => product.id),
    topics: config.topics.topics.map((topic) => topic.id),
    ...(config.attributes ? { attributes: { contact: config.attributes.contact, account: config.attributes.account } } : {}),
  };
}

export function formatLocation(location: RecordLocation): string {
  if (location.line !== undefined) return `${location.source} line ${location.line}`;
  if (location.index !== undefined) return `${location.source}[${location.index}]`;
  return location.source;
}

/** One item of a page: a record to check, or one its reader already refused (a CSV row with the wrong number of cells). */
export type ImportItem = CandidateRecord | RejectedRecord;

/**
 * The records of one import as pages, read once and in order: every account page before any
 * contact page (a contact's account must be written first). A page's size is the reader's choice
 * (about 100 rows: one batched read of owners and accounts per page).
 */
export interface CustomerPages {
  accounts: AsyncIterable<readonly ImportItem[]>;
  contacts: AsyncIterable<readonly ImportItem[]>;
}

/** What one finished page did, for a report written as the import goes. */
export interface ImportedPage {
  kind: 'accounts' | 'contacts';
  /** The page's rejected records, in the order of the file. */
  rejected: RejectedRecord[];
  /** Accounts the page wrote or confirmed (`unchanged` ones too), or the accounts of the contacts it did. */
  accountIds: string[];
}

export type ImportOptions = Pick<ImportInput, 'fieldLabel' | 'catalogue'>;

export interface ImportTotals {
  accounts: OutcomeCounts;
  contacts: OutcomeCounts;
}

/**
 * The import, page by page: memory holds one page, the counters, and where each id and address
 * was first seen (FirstSeenLocations: 14 bytes a key and its hash-table slot), never the file or the report.
 * Duplicates inside the import are found in that one pass (the first occurrence comes first);
 * accounts are written before contacts, so a contact's account is looked up in the store, where
 * this import's accounts already are. `onPage` gets each page's rejections as soon as it is done.
 */
export async function importCustomerPages(
  pages: CustomerPages,
  options: ImportOptions,
  store: CustomerStore,
  clock: Clock,
  onPage: (page: ImportedPage) => Promise<void> | void,
): Promise<ImportTotals> {
  const label = options.fieldLabel ?? ((field: string) => field);
  const check = recordChecks(options.catalogue, label);
  const seen = { accountIds: new FirstSeenLocations(), contactIds: new FirstSeenLocations(), emails: new FirstSeenLocations() };
  /** Accounts known to be stored (written or confirmed by this import): no look-up for their contacts. */
  const storedAccounts = new FirstSeenLocations();
  /** Where an account id that no row made valid was first rejected, for its contacts' reason. */
  const rejectedAccounts = new FirstSeenLocations();
  const totals: ImportTotals = { accounts: noOutcomes(), contacts: noOutcomes() };
  const now = clock.now();

  for await (const page of pages.accounts) {
    const rejected: RejectedRecord[] = [];
    const accepted: CheckedRecord<Account>[] = [];
    for (const item of page) {
      const result = 'reason' in item ? item : checkRecord(item, check.account, seen.accountIds, (account) => account.accountId, 'account id');
      if ('reason' in result) {
        rejected.push(result);
        const accountId = 'value' in item ? (item.value as { accountId?: unknown } | null)?.accountId : undefined;
        if (typeof accountId === 'string') rejectedAccounts.remember(accountId, item.location);
      } else accepted.push(result);
    }
    const outcomes = await mapBounded(accepted, WRITE_CONCURRENCY, ({ entity }) => store.upsertAccount(entity, now));
    for (const { entity, location } of accepted) storedAccounts.remember(entity.accountId, location);
    addOutcomes(totals.accounts, outcomes, rejected.length);
    await onPage({ kind: 'accounts', rejected: inFileOrder(rejected), accountIds: accepted.map(({ entity }) => entity.accountId) });
  }

  // One address, one contact, across imports: checked here for a clear report, and again by
  // the store's conditional write, which also catches a concurrent import.
  const emailTaken = (owner: string) => `${label('email')}: the address already belongs to contact '${owner}'`;
  for await (const page of pages.contacts) {
    const rejected: RejectedRecord[] = [];
    const accepted: CheckedRecord<Contact>[] = [];
    for (const item of page) {
      const result = 'reason' in item ? item : checkRecord(item, check.contact, seen.contactIds, (contact) => contact.contactId, 'contact id');
      if ('reason' in result) {
        rejected.push(result);
        continue;
      }
      const earlier = seen.emails.remember(result.entity.email, result.location);
      if (earlier) rejected.push({ location: result.location, reason: `${label('email')}: the same address is already used at ${formatLocation(earlier)}` });
      else accepted.push(result);
    }

    const unknownAccounts = [...new Set(accepted.map(({ entity }) => entity.accountId))].filter((id) => storedAccounts.firstAt(id) === undefined);
    const stored = unknownAccounts.length > 0 ? await store.existingAccountIds(unknownAccounts) : new Set<string>();
    for (const accountId of stored) storedAccounts.remember(accountId, { source: 'store' });
    const withAccount = accepted.filter(({ entity, location }) => {
      if (storedAccounts.firstAt(entity.accountId) !== undefined) return true;
      const rejectedAt = rejectedAccounts.firstAt(entity.accountId);
      const why = rejectedAt ? `was rejected (${formatLocation(rejectedAt)})` : 'is neither in this import nor already stored';
      rejected.push({ location, reason: `${label('accountId')}: account '${entity.accountId}' ${why}` });
      return false;
    });
    const owners = withAccount.length > 0 ? await store.contactIdsByEmail(withAccount.map(({ entity }) => entity.email)) : new Map<string, string>();
    const placeable = withAccount.filter(({ entity, location }) => {
      const owner = owners.get(entity.email);
      if (owner === undefined || owner === entity.contactId) return true;
      rejected.push({ location, reason: emailTaken(owner) });
      return false;
    });

    const results = await mapBounded(placeable, WRITE_CONCURRENCY, ({ entity }) => store.upsertContact(entity, now));
    const outcomes: UpsertOutcome[] = [];
    const accountIds = new Set<string>();
    results.forEach((result, index) => {
      const { entity, location } = placeable[index] as CheckedRecord<Contact>;
      if (typeof result === 'object') rejected.push({ location, reason: emailTaken(result.ownerContactId) });
      else {
        outcomes.push(result);
        accountIds.add(entity.accountId);
      }
    });
    addOutcomes(totals.contacts, outcomes, rejected.length);
    await onPage({ kind: 'contacts', rejected: inFileOrder(rejected), accountIds: [...accountIds] });
  }
  return totals;
}

/**
 * The import of records already in memory (the ingest API's batch, a Pinpoint export's page):
 * one page each, the whole report returned, rejections in source and line order.
 */
export async function importCustomers(input: ImportInput, store: CustomerStore, clock: Clock): Promise<ImportReport> {
  const rejected: RejectedRecord[] = [];
  const accountIds = new Set<string>();
  const totals = await importCustomerPages(
    { accounts: onePage(input.accounts), contacts: onePage(input.contacts) },
    { ...(input.fieldLabel ? { fieldLabel: input.fieldLabel } : {}), ...(input.catalogue ? { catalogue: input.catalogue } : {}) },
    store,
    clock,
    (page) => {
      rejected.push(...page.rejected);
      for (const accountId of page.accountIds) accountIds.add(accountId);
    },
  );
  rejected.sort((a, b) => a.location.source.localeCompare(b.location.source) || positionOf(a) - positionOf(b));
  return { ...totals, rejected, accountIds: [...accountIds] };
}

async function* onePage(records: readonly CandidateRecord[]): AsyncGenerator<readonly CandidateRecord[]> {
  if (records.length > 0) yield records;
}

function positionOf(record: RejectedRecord): number {
  return record.location.line ?? record.location.index ?? 0;
}

function inFileOrder(rejected: RejectedRecord[]): RejectedRecord[] {
  return rejected.sort((a, b) => positionOf(a) - positionOf(b));
}

function noOutcomes(): OutcomeCounts {
  return { created: 0, updated: 0, unchanged: 0, rejected: 0 };
}

function addOutcomes(counts: OutcomeCounts, outcomes: readonly UpsertOutcome[], rejected: number): void {
  for (const outcome of outcomes) counts[outcome]++;
  counts.rejected += rejected;
}

type RecordCheck<T> = (record: CandidateRecord) => { entity: T } | { reason: string };

/** Each kind of record's schema, then what the config declares (products, topics, custom attributes). */
function recordChecks(catalogue: ImportCatalogue | undefined, label: (field: string) => string): { account: RecordCheck<Account>; contact: RecordCheck<Contact> } {
  // Custom attributes are checked against their declarations and come back typed (a CSV cell 12 becomes the number 12).
  const withAttributes = <T extends { attributes?: Record<string, unknown> }>(entity: T, of: 'contact' | 'account') => {
    const checked = checkCustomAttributes(entity.attributes, of, catalogue?.attributes?.[of], label);
    if ('reason' in checked) return checked.reason;
    const { attributes: _unchecked, ...rest } = entity;
    return { ...rest, ...(checked.attributes ? { attributes: checked.attributes } : {}) } as T;
  };
  // Labels once per import, not once per row.
  const productsLabel = label('products');
  const topicsLabel = label('topicsOptedOut');
  return {
    account: schemaCheck(accountSchema.safeParse.bind(accountSchema), label, (account) =>
      (catalogue ? unknownValues(account.products, catalogue.products, 'product', productsLabel) : undefined) ?? withAttributes(account, 'account'),
    ),
    contact: schemaCheck(contactSchema.safeParse.bind(contactSchema), label, (contact) =>
      (catalogue ? unknownValues(contact.topicsOptedOut, catalogue.topics, 'topic', topicsLabel) : undefined) ?? withAttributes(contact, 'contact'),
    ),
  };
}

/** A reason naming the values not in `known` (and listing the known ones), or undefined when all are known. */
function unknownValues(values: readonly string[], known: readonly string[], what: string, field: string): string | undefined {
  const unknown = values.filter((value) => !known.includes(value));
  if (unknown.length === 0) return undefined;
  const quoted = unknown.map((value) => `'${value}'`).join(', ');
  return `${field}: unknown ${what}${unknown.length > 1 ? 's' : ''} ${quoted}: known ${what}s are ${known.join(', ')}`;
}

interface CheckedRecord<T> {
  location: RecordLocation;
  entity: T;
}

type SafeParse<T> = { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };

function schemaCheck<T>(
  parse: (value: unknown) => SafeParse<T>,
  label: (field: string) => string,
  /**
   * A reason to reject a well-formed record (e.g. a value the config does not declare), or the
   * record as it is to be written (e.g. with its custom attributes typed).
   */
  refuse: (entity: T) => string | T | undefined,
): RecordCheck<T> {
  return (record) => {
    const result = parse(record.value);
    if (!result.success) return { reason: result.error.issues.map((issue) => describeIssue(issue, label)).join('; ') };
    const refusal = refuse(result.data);
    if (typeof refusal === 'string') return { reason: refusal };
    return { entity: refusal ?? result.data };
  };
}

/** A record checked, and its id remembered unless an earlier record of this import had it. */
function checkRecord<T>(record: CandidateRecord, check: RecordCheck<T>, seen: FirstSeenLocations, idOf: (entity: T) => string, idName: string): CheckedRecord<T> | RejectedRecord {
  const checked = check(record);
  if ('reason' in checked) return { location: record.location, reason: checked.reason };
  const id = idOf(checked.entity);
  const earlier = seen.remember(id, record.location);
  if (earlier) return { location: record.location, reason: `duplicate ${idName} '${id}' (first at ${formatLocation(earlier)})` };
  return { location: record.location, entity: checked.entity };
}

function describeIssue(issue: { path: PropertyKey[]; message: string }, label: (field: string) => string): string {
  const field = issue.path[0];
  const message = issue.message
    .replace(/^Invalid input: expected \w+, received undefined$/, 'is required')
    .replace(/^(.*), got 'undefined'$/, 'is required ($1)')
    .replace(/^Invalid input: /, '');
  if (field === undefined) return message.replace(/^Unrecognized keys?: /, 'unknown field(s): ');
  return `${label(String(field))}: ${message}`;
}

export type { Account, Contact };
