/**
 * Accounts and contacts in DynamoDB. Upserts are conditional on a content hash, so importing
 * the same data again writes nothing and reports `unchanged`.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { accountSchema, type Account } from '../../../core/customers/account.ts';
import { contactSchema, type Contact } from '../../../core/customers/contact.ts';
import type { Tier } from '../../../core/config/schema/common.ts';
import type { CustomerStore, UpsertOutcome } from '../../../core/ports.ts';
import { CONTACT_LIST_SHARDS, keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoCustomerStore implements CustomerStore {
  constructor(private readonly table: DynamoTable) {}

  upsertAccount(account: Account, at: Date): Promise<UpsertOutcome> {
    return this.upsert(
      { ...keys.account(account.accountId), ...keys.accountByTier(account.tier, account.accountId), ...keys.accountMembers(account.accountId), entity: 'account' },
      account,
      at,
    );
  }

  upsertContact(contact: Contact, at: Date): Promise<UpsertOutcome> {
    return this.upsert(
      {
        ...keys.contact(contact.contactId),
        ...keys.contactListing(contact.contactId),
        ...keys.contactOfAccount(contact.accountId, contact.contactId),
        entity: 'contact',
      },
      contact,
      at,
    );
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
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':contact': 'CONTACT#' },
    });
    return items.map((item) => itemToEntity(contactSchema, item));
  }

  async *listContacts(): AsyncIterable<Contact[]> {
    const shards = Array.from({ length: CONTACT_LIST_SHARDS }, (_, shard) =>
      this.table.queryAll({
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `CONTACTS#${shard}` },
      }),
    );
    for (const shard of shards) {
      yield (await shard).map((item) => itemToEntity(contactSchema, item));
    }
  }

  private async upsert(itemKeys: Record<string, string>, entity: Account | Contact, at: Date): Promise<UpsertOutcome> {
    const contentHash = hashOf(entity);
    let previous: Record<string, unknown> | undefined;
    const written = await this.table.conditionally(async () => {
      const result = await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...itemKeys, ...entity, contentHash, updatedAt: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(PK) OR contentHash <> :hash',
          ExpressionAttributeValues: { ':hash': contentHash },
          ReturnValues: 'ALL_OLD',
        }),
      );
      previous = result.Attributes;
    });
    if (!written) return 'unchanged';
    return previous ? 'updated' : 'created';
  }
}

/** Hash of the entity's fields in a stable key order. */
function hashOf(entity: object): string {
  const stable = JSON.stringify(entity, Object.keys(entity).sort());
  return createHash('sha256').update(stable).digest('base64url');
}
