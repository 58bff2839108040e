/**
 * Accounts and contacts in DynamoDB, and who owns which field of them (docs/data-model.md).
 *
 * The CRM (imports, ingest API) owns the profile fields; the engine owns what people chose
 * through it. So an import is an UpdateItem of the CRM-owned attributes (absent optional ones
 * are removed), never a whole-item put: `topicsOptedOut` (preference centre, SES subscription
 * events) survives every re-import. Upserts are conditional on a hash of the CRM-owned
 * fields, so importing the same data again writes nothing and reports `unchanged`.
 *
 * One address belongs to one contact: an `EMAIL#<address>` look-up item is claimed in the same
 * transaction as the contact write, so two contacts can never end up with one address, across
 * imports and across concurrent requests.
 */
import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { accountSchema, type Account } from '../../../core/customers/account.ts';
import { contactSchema, type Contact } from '../../../core/customers/contact.ts';
import type { Tier } from '../../../core/config/schema/common.ts';
import type { CustomerStore, EmailTaken, UpsertOutcome } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import { DynamoContactListing } from './contact-listing.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';
import { revenueEntryOf, revenueHashOf, type RevenueEntry } from '../../../core/customers/revenue-history.ts';

/**
 * Optional CRM fields: when a record no longer has one, the stored value is removed. Custom
 * attributes are one map, written whole: an attribute the CRM stops sending goes with it.
 */
const OPTIONAL_ACCOUNT_FIELDS = ['csmOwner', 'attributes'] as const;
const OPTIONAL_CONTACT_FIELDS = ['consentAt', 'role', 'attributes'] as const;

/**
 * Bumped when the CRM-owned field set changes: items written under an older version are
 * rewritten by the next import (that is how contacts imported before the email look-up got one).
 */
const CONTACT_HASH_VERSION = 'v2';

/** Contacts per page when every contact is listed (audience preview, demo). */
const LIST_PAGE_SIZE = 1000;

/** Concurrent writers to one contact (two imports, an import and the preference centre) retry this often. */
const MAX_CONTACT_WRITE_ATTEMPTS = 5;

export class DynamoCustomerStore implements CustomerStore {
  constructor(private readonly table: DynamoTable) {}

  async upsertAccount(account: Account, at: Date): Promise<UpsertOutcome> {
    const attributes = accountAttributes(account, at);
    const { contentHash, revenueHash } = attributes;
    const update = updateOf(attributes, OPTIONAL_ACCOUNT_FIELDS.filter((field) => account[field] === undefined));
    for (let attempt = 1; ; attempt++) {
      const { Item: stored } = await this.table.doc.send(
        new GetCommand({ TableName: this.table.tableName, Key: keys.account(account.accountId), ProjectionExpression: 'contentHash, revenueHash', ConsistentRead: true }),
      );
      if (stored?.contentHash === contentHash) return 'unchanged';
      // Conditional on the state read: another writer in between makes this one read again.
      const storedRevenue = typeof stored?.revenueHash === 'string' ? stored.revenueHash : undefined;
      const accountUpdate = {
        TableName: this.table.tableName,
        Key: keys.account(account.accountId),
        ...update,
        ConditionExpression: !stored ? 'attribute_not_exists(PK)' : storedRevenue ? 'revenueHash = :storedRevenue' : 'attribute_exists(PK) AND attribute_not_exists(revenueHash)',
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...(stored && storedRevenue ? { ':storedRevenue': storedRevenue } : {}) },
      };
      // The revenue facts change (or a new account): the account and its history entry in one transaction.
      const entry = revenueEntryOf(account, at);
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> =
        storedRevenue === revenueHash
          ? [{ Update: accountUpdate }]
          : [{ Update: accountUpdate }, { Put: { TableName: this.table.tableName, Item: { ...keys.revenueEntry(account.accountId, entry.at), ...keys.revenueFeed(entry.at, account.accountId), entity: 'revenue-entry', ...entry } } }];
      if (await this.table.transactConditionally(items)) return stored ? 'updated' : 'created';
      if (attempt >= MAX_CONTACT_WRITE_ATTEMPTS) throw new Error(`account ${account.accountId} kept changing while it was imported (${attempt} attempts)`);
    }
  }

  async revenueChangesBetween(from: Date, to: Date): Promise<RevenueEntry[]> {
    // The month feed (GSI1 REVENUE#<yyyy-mm>): one query per month, whatever the number of accounts.
    const months: string[] = [];
    for (let month = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1)); month.getTime() <= to.getTime(); month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))) months.push(month.toISOString());
    const pages = await Promise.all(
      months.map((month) => {
        const feed = keys.revenueFeed(month, '');
        return this.table.queryAll({
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': feed.GSI1PK, ':from': from.toISOString(), ':to': `${to.toISOString()}~` },
        });
      }),
    );
    return pages.flat().map((item) => revenueEntryFromItem(item));
  }

  async revenueHistoryOf(accountId: string): Promise<RevenueEntry[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk AND begins_with(SK, :revenue)', ExpressionAttributeValues: { ':pk': keys.account(accountId).PK, ':revenue': 'REVENUE#' } });
    return items.map((item) => revenueEntryFromItem(item));
  }

  async upsertContact(contact: Contact, at: Date): Promise<UpsertOutcome | EmailTaken> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.tryUpsertContact(contact, at);
      if (result !== 'retry') return result;
      if (attempt >= MAX_CONTACT_WRITE_ATTEMPTS) throw new Error(`contact ${contact.contactId} kept changing while it was imported (${attempt} attempts)`);
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
    }
  }

  private async tryUpsertContact(contact: Contact, at: Date): Promise<UpsertOutcome | EmailTaken | 'retry'> {
    const reportedOptOuts = contact.topicsOptedOut;
    const attributes = contactAttributes(contact, at);
    const { contentHash } = attributes;
    const { Item: stored } = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.contact(contact.contactId),
        ConsistentRead: true,
        ProjectionExpression: 'contentHash, email, importedTopicsOptedOut, topicsOptedOut',
      }),
    );
    if (stored?.contentHash === contentHash) return 'unchanged';

    // Opt-outs the CRM reports for the first time are added; one it stops reporting is not
    // removed (only the contact, in our pages, opts back in).
    const previouslyReported = new Set(stringList(stored?.importedTopicsOptedOut));
    const current = new Set(stringList(stored?.topicsOptedOut));
    const added = reportedOptOuts.filter((topic) => !previouslyReported.has(topic) && !current.has(topic));
    const update = updateOf(attributes, OPTIONAL_CONTACT_FIELDS.filter((field) => contact[field] === undefined), { topicsOptedOut: added });
    const storedHash = typeof stored?.contentHash === 'string' ? stored.contentHash : undefined;
    const previousEmail = typeof stored?.email === 'string' ? stored.email : undefined;
    const owner = { ':me': contact.contactId };
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Update: {
          TableName: this.table.tableName,
          Key: keys.contact(contact.contactId),
          ...update,
          // Optimistic: the item is still as read (or still absent), else read again.
          ConditionExpression: stored ? (storedHash ? 'contentHash = :storedHash' : 'attribute_not_exists(contentHash)') : 'attribute_not_exists(PK)',
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...(storedHash ? { ':storedHash': storedHash } : {}) },
        },
      },
      {
        Put: {
          TableName: this.table.tableName,
          Item: { ...keys.contactByEmail(contact.email), entity: 'contact-email', contactId: contact.contactId, updatedAt: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(PK) OR contactId = :me',
          ExpressionAttributeValues: owner,
        },
      },
    ];
    if (previousEmail && previousEmail !== contact.email) {
      // The contact's old address is free again (only if it is still ours).
      items.push({
        Delete: {
          TableName: this.table.tableName,
          Key: keys.contactByEmail(previousEmail),
          ConditionExpression: 'attribute_not_exists(PK) OR contactId = :me',
          ExpressionAttributeValues: owner,
        },
      });
    }
    try {
      await this.table.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const codes = cancellationCodesOf(error);
      if (!codes) throw error;
      if (codes[1] === 'ConditionalCheckFailed') {
        const ownerContactId = await this.contactIdByEmail(contact.email);
        if (ownerContactId && ownerContactId !== contact.contactId) return { outcome: 'email-taken', ownerContactId };
        return 'retry';
      }
      if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) return 'retry';
      throw error;
    }
    return stored ? 'updated' : 'created';
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.account(accountId) }));
    return Item ? itemToEntity(accountSchema, Item) : undefined;
  }

  async getContact(contactId: string): Promise<Contact | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.contact(contactId) }));
    return Item ? itemToEntity(contactSchema, Item) : undefined;
  }

  async getContacts(contactIds: readonly string[]): Promise<Map<string, Contact>> {
    const items = await this.table.batchGet([...new Set(contactIds)].map((contactId) => keys.contact(contactId)));
    return new Map(items.map((item) => {
      const contact = itemToEntity(contactSchema, item);
      return [contact.contactId, contact];
    }));
  }

  async getAccounts(accountIds: readonly string[]): Promise<Map<string, Account>> {
    const items = await this.table.batchGet([...new Set(accountIds)].map((accountId) => keys.account(accountId)));
    return new Map(items.map((item) => {
      const account = itemToEntity(accountSchema, item);
      return [account.accountId, account];
    }));
  }

  async existingAccountIds(accountIds: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(accountIds)];
    const items = await this.table.batchGet(unique.map((accountId) => keys.account(accountId)), 'accountId');
    return new Set(items.map((item) => String(item.accountId)));
  }

  async listAccountsByTier(tier: Tier): Promise<Account[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.accountByTier(tier, '').GSI1PK },
    });
    return items.map((item) => itemToEntity(accountSchema, item));
  }

  async listContactsOfAccount(accountId: string): Promise<Contact[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :contact)',
      ExpressionAttributeValues: { ':pk': keys.contactOfAccount(accountId, '').GSI2PK, ':contact': keys.contactOfAccount(accountId, '').GSI2SK },
    });
    return items.map((item) => itemToEntity(contactSchema, item));
  }

  listContacts(): AsyncIterable<Contact[]> {
    // Streamed a page at a time: a whole shard would not fit in a worker's memory at scale.
    return new DynamoContactListing(this.table).everyPage(LIST_PAGE_SIZE);
  }

  async findContactByEmail(email: string): Promise<Contact | undefined> {
    const contactId = await this.contactIdByEmail(email);
    return contactId ? this.getContact(contactId) : undefined;
  }

  async contactIdsByEmail(emails: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(emails.map((email) => email.toLowerCase()))];
    const items = await this.table.batchGet(unique.map((email) => keys.contactByEmail(email)), 'PK, contactId');
    const byKey = new Map(unique.map((email) => [keys.contactByEmail(email).PK, email]));
    const owners = new Map<string, string>();
    for (const item of items) {
      const email = byKey.get(String(item.PK));
      if (email && typeof item.contactId === 'string') owners.set(email, item.contactId);
    }
    return owners;
  }

  async addTopicOptOuts(contactId: string, topics: readonly string[], at: Date): Promise<void> {
    // One conditional append per topic: idempotent (a topic already there fails the condition) and no read.
    for (const topic of new Set(topics)) {
      await this.table.conditionally(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.contact(contactId),
            UpdateExpression: 'SET topicsOptedOut = list_append(if_not_exists(topicsOptedOut, :none), :topic), updatedAt = :at',
            ConditionExpression: 'attribute_exists(PK) AND NOT contains(topicsOptedOut, :name)',
            ExpressionAttributeValues: { ':none': [], ':topic': [topic], ':name': topic, ':at': at.toISOString() },
          }),
        ),
      );
    }
  }

  async setTopicOptOuts(contactId: string, topics: readonly string[], at: Date): Promise<void> {
    await this.table.conditionally(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.contact(contactId),
          UpdateExpression: 'SET topicsOptedOut = :topics, updatedAt = :at',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':topics': [...new Set(topics)], ':at': at.toISOString() },
        }),
      ),
    );
  }

  private async contactIdByEmail(email: string): Promise<string | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.contactByEmail(email), ConsistentRead: true, ProjectionExpression: 'contactId' }),
    );
    return typeof Item?.contactId === 'string' ? Item.contactId : undefined;
  }
}

/** The attributes an import writes for an account (besides the key): what the CRM owns, keys of its listings, the hash. */
function accountAttributes(account: Account, at: Date) {
  return {
    ...keys.accountByTier(account.tier, account.accountId),
    ...keys.accountMembers(account.accountId),
    entity: 'account',
    ...account,
    contentHash: hashOf(account),
    revenueHash: revenueHashOf(account),
    updatedAt: at.toISOString(),
  };
}

/** The attributes an import writes for a contact: the CRM-owned fields (its opt-outs as `importedTopicsOptedOut`), listing keys, the hash. */
function contactAttributes(contact: Contact, at: Date) {
  const { topicsOptedOut, ...profile } = contact;
  const crmOwned = { ...profile, importedTopicsOptedOut: topicsOptedOut };
  return {
    ...keys.contactListing(contact.contactId),
    ...keys.contactOfAccount(contact.accountId, contact.contactId),
    entity: 'contact',
    ...crmOwned,
    contentHash: `${CONTACT_HASH_VERSION}:${hashOf(crmOwned)}`,
    updatedAt: at.toISOString(),
  };
}

/**
 * The items a first import of these customers writes, for bulk loads that bypass the conditional
 * path (benchmarks seeding thousands of rows): the same attributes, so a later import sees them
 * unchanged. Not for production writes: nothing here checks that an address is free.
 */
export function firstImportItemsOf(customers: { accounts: readonly Account[]; contacts: readonly Contact[] }, at: Date): Record<string, unknown>[] {
  return [
    ...customers.accounts.map((account) => ({ ...keys.account(account.accountId), ...accountAttributes(account, at) })),
    ...customers.contacts.flatMap((contact) => [
      { ...keys.contact(contact.contactId), ...contactAttributes(contact, at), topicsOptedOut: contact.topicsOptedOut },
      { ...keys.contactByEmail(contact.email), entity: 'contact-email', contactId: contact.contactId, updatedAt: at.toISOString() },
    ]),
  ];
}

interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * `SET` every given attribute (undefined ones skipped), `REMOVE` the listed ones, and append to
 * lists (`appends`, skipped when empty; the list is created when missing).
 */
function updateOf(set: Record<string, unknown>, remove: readonly string[], appends: Record<string, readonly string[]> = {}): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const assignments: string[] = [];
  let n = 0;
  for (const [attribute, value] of Object.entries(set)) {
    if (value === undefined) continue;
    names[`#a${n}`] = attribute;
    values[`:v${n}`] = value;
    assignments.push(`#a${n} = :v${n}`);
    n++;
  }
  for (const [attribute, items] of Object.entries(appends)) {
    names[`#a${n}`] = attribute;
    values[`:v${n}`] = [...items];
    assignments.push(items.length > 0 ? `#a${n} = list_append(if_not_exists(#a${n}, :none), :v${n})` : `#a${n} = if_not_exists(#a${n}, :none)`);
    values[':none'] = [];
    if (items.length === 0) delete values[`:v${n}`];
    n++;
  }
  const removals = remove.map((attribute) => {
    names[`#a${n}`] = attribute;
    return `#a${n++}`;
  });
  return {
    UpdateExpression: `SET ${assignments.join(', ')}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The per-item cancellation codes of a cancelled transaction, or undefined for any other error. */
function cancellationCodesOf(error: unknown): Array<string | undefined> | undefined {
  if (!(error instanceof TransactionCanceledException) && (error as { name?: string }).name !== 'TransactionCanceledException') return undefined;
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code);
}

function keysAtEveryDepth(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysAtEveryDepth(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysAtEveryDepth(inner, into);
    }
  }
  return into;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Hash of the entity's fields in a stable key order. The key list names nested keys too (custom
 * attributes are a map): JSON.stringify drops any key not in it, at every depth. For a flat
 * entity the list is the same as before attributes existed, so stored hashes stay valid.
 */
function hashOf(entity: object): string {
  const stable = JSON.stringify(entity, [...keysAtEveryDepth(entity)].sort());
  return createHash('sha256').update(stable).digest('base64url');
}

function revenueEntryFromItem(item: Record<string, unknown>): RevenueEntry {
  return { accountId: String(item.accountId), at: String(item.at), tier: item.tier as RevenueEntry['tier'], mrr: Number(item.mrr), currency: String(item.currency), plan: String(item.plan), products: (item.products as string[] | undefined) ?? [] };
}
