/**
 * The import in pages decides every row as the import of all records at once does: how a file is
 * cut into pages changes nothing (duplicates and rejected accounts are named across pages), and
 * where a key was first seen is remembered exactly, beyond any table growth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstSeenLocations } from '../../../core/customers/first-seen-locations.ts';
import { importCustomerPages, importCustomers, type CandidateRecord, type ImportedPage, type RejectedRecord } from '../../../core/customers/import-customers.ts';
import { createMemoryStore } from '../../support/memory-store.ts';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };

describe('FirstSeenLocations', () => {
  it('answers like a map of each key to where it was first remembered, past many growths', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.nat(1_000_000), fc.constantFrom('line', 'index', 'neither'), fc.constantFrom('a.csv', 'b.csv')), { maxLength: 3000 }), (entries) => {
        const seen = new FirstSeenLocations();
        const expected = new Map<string, object>();
        for (const [key, position, kind, source] of entries) {
          const location = kind === 'line' ? { source, line: position } : kind === 'index' ? { source, index: position } : { source };
          expect(seen.remember(key, location)).toEqual(expected.get(key));
          if (!expected.has(key)) expected.set(key, location);
        }
        expect(seen.count).toBe(expected.size);
        for (const [key, location] of expected) expect(seen.firstAt(key)).toEqual(location);
        expect(seen.firstAt('never remembered \u0000')).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });
});

describe('importing in pages', () => {
  const accountRecord = (id: string, valid: boolean) => ({ accountId: id, name: `Account ${id}`, tier: valid ? 'tier2' : 'tier9', plan: 'standard', phase: 'adoption', mrr: 1, currency: 'JPY' });
  const contactRecord = (id: string, accountId: string, email: string, valid: boolean) => ({
    contactId: id,
    accountId,
    email: `${email}@example.com`,
    locale: 'en',
    timeZone: valid ? 'UTC' : 'Mars/Olympus',
    consent: 'granted',
  });

  it('gives the same counts, the same rejected rows and reasons, and the same stored contacts however the records are cut into pages', async () => {
    const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(ids, fc.boolean()), { maxLength: 8 }),
        fc.array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6'), ids, fc.constantFrom('x', 'y', 'z', 'w'), fc.boolean()), { maxLength: 14 }),
        fc.integer({ min: 1, max: 5 }),
        async (accountRows, contactRows, pageSize) => {
          const at = (source: string) => (value: unknown, i: number): CandidateRecord => ({ location: { source, line: i + 2 }, value });
          const accounts = accountRows.map(([id, valid]) => accountRecord(id, valid)).map(at('accounts.csv'));
          const contacts = contactRows.map(([id, accountId, email, valid]) => contactRecord(id, accountId, email, valid)).map(at('contacts.csv'));

          const whole = createMemoryStore();
          const expected = await importCustomers({ accounts, contacts }, whole.customers, clock);

          const paged = createMemoryStore();
          const pages: ImportedPage[] = [];
          const totals = await importCustomerPages({ accounts: inPages(accounts, pageSize), contacts: inPages(contacts, pageSize) }, {}, paged.customers, clock, (page) => {
            pages.push(page);
          });
          expect(totals).toEqual({ accounts: expected.accounts, contacts: expected.contacts });
          const rejected: RejectedRecord[] = pages.flatMap((page) => page.rejected);
          expect(rejected).toEqual(expected.rejected);
          for (const [contactId] of contactRows) expect(await paged.customers.getContact(contactId)).toEqual(await whole.customers.getContact(contactId));
          expect(new Set(pages.flatMap((page) => page.accountIds))).toEqual(new Set(expected.accountIds));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('names a duplicate by the line its first occurrence is on, pages apart', async () => {
    const contacts = [contactRecord('c1', 'a', 'x', true), contactRecord('c2', 'a', 'y', true), contactRecord('c1', 'a', 'z', true), contactRecord('c3', 'a', 'x', true)].map(
      (value, i): CandidateRecord => ({ location: { source: 'contacts.csv', line: i + 2 }, value }),
    );
    const store = createMemoryStore();
    const rejected: RejectedRecord[] = [];
    await importCustomerPages({ accounts: inPages([{ location: { source: 'accounts.csv', line: 2 }, value: accountRecord('a', true) }], 1), contacts: inPages(contacts, 1) }, {}, store.customers, clock, (page) => {
      rejected.push(...page.rejected);
    });
    expect(rejected).toEqual([
      { location: { source: 'contacts.csv', line: 4 }, reason: "duplicate contact id 'c1' (first at contacts.csv line 2)" },
      { location: { source: 'contacts.csv', line: 5 }, reason: 'email: the same address is already used at contacts.csv line 2' },
    ]);
  });
});

async function* inPages<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
