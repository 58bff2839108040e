/**
 * A CustomerStore for measuring an import's own memory on a million rows without DynamoDB (Local
 * writes about 3,400 items/s at best here): writes are counted and dropped, every account asked
 * about is taken as stored, and no address has an owner. Whatever the import keeps per row shows;
 * the store keeps only counters.
 */
import type { CustomerStore, UpsertOutcome } from '../core/ports.ts';

export interface DroppedWrites {
  accounts: number;
  contacts: number;
  lookups: number;
}

export function droppedWritesCustomerStore(): { store: CustomerStore; writes: DroppedWrites } {
  const writes: DroppedWrites = { accounts: 0, contacts: 0, lookups: 0 };
  const notUsed = (method: string) => () => Promise.reject(new Error(`dropped-writes store: ${method} is not used by an import`));
  const store: CustomerStore = {
    upsertAccount: () => {
      writes.accounts++;
      return Promise.resolve<UpsertOutcome>('created');
    },
    upsertContact: () => {
      writes.contacts++;
      return Promise.resolve<UpsertOutcome>('created');
    },
    existingAccountIds: (accountIds) => {
      writes.lookups++;
      return Promise.resolve(new Set(accountIds));
    },
    contactIdsByEmail: () => {
      writes.lookups++;
      return Promise.resolve(new Map<string, string>());
    },
    revenueHistoryOf: notUsed('revenueHistoryOf'),
    revenueChangesBetween: notUsed('revenueChangesBetween'),
    getAccount: notUsed('getAccount'),
    getContact: notUsed('getContact'),
    getContacts: notUsed('getContacts'),
    getAccounts: notUsed('getAccounts'),
    listAccountsByTier: notUsed('listAccountsByTier'),
    listContactsOfAccount: notUsed('listContactsOfAccount'),
    findContactByEmail: notUsed('findContactByEmail'),
    addTopicOptOuts: notUsed('addTopicOptOuts'),
    setTopicOptOuts: notUsed('setTopicOptOuts'),
    listContacts: () => {
      throw new Error('dropped-writes store: listContacts is not used by an import');
    },
  };
  return { store, writes };
}
