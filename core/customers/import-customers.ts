/**
 * Use case: bring customers in (CSV import or the ingest API). Every record is checked first;
 * a bad record is reported with where it is and why, and is not written; good records are
 * upserted, and records identical to what is stored are left alone (`unchanged`), so
 * importing the same file twice changes nothing. An import writes only the fields the CRM owns
 * (docs/data-model.md); an address that belongs to another contact is refused, naming it.
 * Custom attributes must be declared (campaigns/attributes.yaml) and fit their type.
 */
import { mapBounded } from '../bounded-parallel.ts';
import type { Clock, CustomerStore, UpsertOutcome } from '../ports.ts';
import { accountSchema, type Account } from './account.ts';
import { contactSchema, type Contact } from './contact.ts';
import type { AttributeDeclaration } from '../config/schema/attributes.ts';
import { checkCustomAttributes } from './custom-attributes.ts';

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

export async function importCustomers(input: ImportInput, store: CustomerStore, clock: Clock): Promise<ImportReport> {
  const label = input.fieldLabel ?? ((field: string) => field);
  const rejected: RejectedRecord[] = [];

  const catalogue = input.catalogue;
  // Custom attributes are checked against their declarations and come back typed (a CSV cell 12 becomes the number 12).
  const withAttributes = <T extends { attributes?: Record<string, unknown> }>(entity: T, of: 'contact' | 'account') => {
    const checked = checkCustomAttributes(entity.attributes, of, catalogue?.attributes?.[of], label);
    if ('reason' in checked) return checked.reason;
    const { attributes: _unchecked, ...rest } = entity;
    return { ...rest, ...(checked.attributes ? { attributes: checked.attributes } : {}) } as T;
  };
  const accounts = checkRecords(input.accounts, rejected, label, (record) => accountSchema.safeParse(record.value), (account) => account.accountId, 'account id', (account) =>
    (catalogue ? unknownValues(account.products, catalogue.products, 'product', label('products')) : undefined) ?? withAttributes(account, 'account'),
  );
  const contacts = checkRecords(input.contacts, rejected, label, (record) => contactSchema.safeParse(record.value), (contact) => contact.contactId, 'contact id', (contact) =>
    (catalogue ? unknownValues(contact.topicsOptedOut, catalogue.topics, 'topic', label('topicsOptedOut')) : undefined) ?? withAttributes(contact, 'contact'),
  );
  rejectDuplicateEmails(contacts, rejected, label);

  const accountIdsInBatch = new Set(accounts.map(({ entity }) => entity.accountId));
  const referenced = [...new Set(contacts.map(({ entity }) => entity.accountId))].filter((id) => !accountIdsInBatch.has(id));
  const stored = referenced.length > 0 ? await store.existingAccountIds(referenced) : new Set<string>();
  const rejectedAccounts = new Map<string, RecordLocation>();
  for (const record of input.accounts) {
    const accountId = (record.value as { accountId?: unknown } | null)?.accountId;
    if (typeof accountId === 'string' && !accountIdsInBatch.has(accountId) && !rejectedAccounts.has(accountId)) rejectedAccounts.set(accountId, record.location);
  }
  const withAccount = contacts.filter(({ entity, location }) => {
    if (accountIdsInBatch.has(entity.accountId) || stored.has(entity.accountId)) return true;
    const rejectedAt = rejectedAccounts.get(entity.accountId);
    const why = rejectedAt ? `was rejected (${formatLocation(rejectedAt)})` : 'is neither in this import nor already stored';
    rejected.push({ location, reason: `${label('accountId')}: account '${entity.accountId}' ${why}` });
    return false;
  });
  // One address, one contact, across imports: checked here for a clear report, and again by
  // the store's conditional write, which also catches a concurrent import.
  const emailTaken = (owner: string) => `${label('email')}: the address already belongs to contact '${owner}'`;
  const owners = withAccount.length > 0 ? await store.contactIdsByEmail(withAccount.map(({ entity }) => entity.email)) : new Map<string, string>();
  const placeable = withAccount.filter(({ entity, location }) => {
    const owner = owners.get(entity.email);
    if (owner === undefined || owner === entity.contactId) return true;
    rejected.push({ location, reason: emailTaken(owner) });
    return false;
  });

  const now = clock.now();
  const accountOutcomes = await mapBounded(accounts, WRITE_CONCURRENCY, ({ entity }) => store.upsertAccount(entity, now));
  const contactResults = await mapBounded(placeable, WRITE_CONCURRENCY, ({ entity }) => store.upsertContact(entity, now));
  const contactOutcomes: UpsertOutcome[] = [];
  const writtenContacts: Contact[] = [];
  contactResults.forEach((result, index) => {
    const { entity, location } = placeable[index] as CheckedRecord<Contact>;
    if (typeof result === 'object') rejected.push({ location, reason: emailTaken(result.ownerContactId) });
    else {
      contactOutcomes.push(result);
      writtenContacts.push(entity);
    }
  });
  rejected.sort((a, b) => a.location.source.localeCompare(b.location.source) || (a.location.line ?? a.location.index ?? 0) - (b.location.line ?? b.location.index ?? 0));
  return {
    accounts: countOutcomes(accountOutcomes, input.accounts.length - accounts.length),
    contacts: countOutcomes(contactOutcomes, input.contacts.length - writtenContacts.length),
    rejected,
    accountIds: [...new Set([...accounts.map(({ entity }) => entity.accountId), ...writtenContacts.map((contact) => contact.accountId)])],
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

function checkRecords<T>(
  records: CandidateRecord[],
  rejected: RejectedRecord[],
  label: (field: string) => string,
  parse: (record: CandidateRecord) => SafeParse<T>,
  idOf: (entity: T) => string,
  idName: string,
  /**
   * A reason to reject a well-formed record (e.g. a value the config does not declare), or the
   * record as it is to be written (e.g. with its custom attributes typed).
   */
  refuse: (entity: T) => string | T | undefined = () => undefined,
): CheckedRecord<T>[] {
  const firstSeen = new Map<string, RecordLocation>();
  const checked: CheckedRecord<T>[] = [];
  for (const record of records) {
    const result = parse(record);
    if (!result.success) {
      const reason = result.error.issues.map((issue) => describeIssue(issue, label)).join('; ');
      rejected.push({ location: record.location, reason });
      continue;
    }
    const refusal = refuse(result.data);
    if (typeof refusal === 'string') {
      rejected.push({ location: record.location, reason: refusal });
      continue;
    }
    const entity = refusal ?? result.data;
    const id = idOf(entity);
    const earlier = firstSeen.get(id);
    if (earlier) {
      rejected.push({ location: record.location, reason: `duplicate ${idName} '${id}' (first at ${formatLocation(earlier)})` });
      continue;
    }
    firstSeen.set(id, record.location);
    checked.push({ location: record.location, entity });
  }
  return checked;
}

function rejectDuplicateEmails(contacts: CheckedRecord<Contact>[], rejected: RejectedRecord[], label: (field: string) => string): void {
  const firstSeen = new Map<string, RecordLocation>();
  for (let i = 0; i < contacts.length; i++) {
    const { entity, location } = contacts[i] as CheckedRecord<Contact>;
    const earlier = firstSeen.get(entity.email);
    if (earlier) {
      rejected.push({ location, reason: `${label('email')}: the same address is already used at ${formatLocation(earlier)}` });
      contacts.splice(i--, 1);
    } else {
      firstSeen.set(entity.email, location);
    }
  }
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

function countOutcomes(outcomes: UpsertOutcome[], rejected: number): OutcomeCounts {
  return {
    created: outcomes.filter((outcome) => outcome === 'created').length,
    updated: outcomes.filter((outcome) => outcome === 'updated').length,
    unchanged: outcomes.filter((outcome) => outcome === 'unchanged').length,
    rejected,
  };
}

export type { Account, Contact };
