/**
 * Revenue history against DynamoDB Local: an account's MRR, plan, products and tier are kept over
 * time as imports change them (one entry per change, written with the account), a re-import of the
 * same figures writes nothing, a change of name or product order is no revenue change; and the
 * revenue report over those histories (new, expansion, contraction, churn, NRR).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runScript } from '../support/spawn-script.ts';
import type { Account } from '../../core/customers/account.ts';
import { revenueHistoriesFor, revenueRows } from '../../core/reporting/revenue-report.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('revenue-history');
});
afterAll(() => table.drop());

const account = (extra: Partial<Account> = {}): Account => ({ accountId: 'rev-1', name: 'Acme', tier: 'tier2', plan: 'standard', products: ['core', 'analytics'], phase: 'adoption', mrr: 1000, currency: 'JPY', ...extra });
const day = (n: number) => new Date(Date.UTC(2026, 9, 1) + n * 86_400_000);

describe('revenue history', () => {
  it('keeps one entry per change of revenue facts, none for a re-import or a change of anything else', async () => {
    expect(await table.store.customers.upsertAccount(account(), day(0))).toBe('created');
    expect(await table.store.customers.upsertAccount(account(), day(1))).toBe('unchanged');
    expect(await table.store.customers.upsertAccount(account({ name: 'Acme K.K.', products: ['analytics', 'core'] }), day(2))).toBe('updated');
    expect(await table.store.customers.upsertAccount(account({ name: 'Acme K.K.', mrr: 1500, plan: 'premium' }), day(40))).toBe('updated');
    expect(await table.store.customers.upsertAccount(account({ name: 'Acme K.K.', mrr: 1500, plan: 'premium' }), day(41))).toBe('unchanged');
    const history = await table.store.customers.revenueHistoryOf('rev-1');
    expect(history.map((entry) => [entry.at.slice(0, 10), entry.mrr, entry.plan])).toEqual([
      ['2026-10-01', 1000, 'standard'],
      ['2026-11-10', 1500, 'premium'],
    ]);
    expect((await table.store.customers.getAccounts(['rev-1'])).get('rev-1')).toMatchObject({ name: 'Acme K.K.', mrr: 1500 });
  });

  it('converges when writers change the same account at the same moment: the history ends with the stored figures', async () => {
    await table.store.customers.upsertAccount(account({ accountId: 'rev-2', mrr: 50 }), day(0));
    await Promise.all([1, 2, 3, 4].map((n) => table.store.customers.upsertAccount(account({ accountId: 'rev-2', mrr: 100 * n }), day(5))));
    const stored = (await table.store.customers.getAccounts(['rev-2'])).get('rev-2')!;
    const history = await table.store.customers.revenueHistoryOf('rev-2');
    expect(history.map((entry) => entry.at)).toEqual([day(0).toISOString(), day(5).toISOString()]);
    expect(history.at(-1)?.mrr).toBe(stored.mrr);
  });

  it('reports new, expansion, contraction and churned MRR and NRR per tier and currency', () => {
    const at = (n: number) => day(n).toISOString();
    const entry = (accountId: string, n: number, mrr: number, extra: Partial<Account> = {}) => ({ accountId, at: at(n), tier: 'tier2' as const, mrr, currency: 'JPY', plan: 'standard', products: ['core'], ...extra });
    const histories = new Map([
      ['grows', [entry('grows', 0, 1000), entry('grows', 40, 1500, { plan: 'premium', products: ['core', 'analytics'] })]],
      ['shrinks', [entry('shrinks', 0, 1000), entry('shrinks', 45, 800)]],
      ['leaves', [entry('leaves', 0, 500), entry('leaves', 50, 0)]],
      ['arrives', [entry('arrives', 35, 700)]],
      ['usd', [entry('usd', 0, 10, { currency: 'USD', tier: 'tier1' })]],
    ]);
    const rows = revenueRows(histories, { from: day(31), to: day(61) });
    const tier2 = rows.find((row) => row.key === 'tier2 JPY')!;
    expect(tier2).toMatchObject({ accounts: 4, startMrr: 2500, newMrr: 700, expansionMrr: 500, contractionMrr: 200, churnedMrr: 500, endMrr: 3000, upsells: 1, crossSells: 1, churnedAccounts: 1 });
    expect(tier2.nrr).toBeCloseTo((2500 + 500 - 200 - 500) / 2500);
    // Currencies are never added up.
    expect(rows.find((row) => row.key === 'total USD')).toMatchObject({ startMrr: 10, endMrr: 10, nrr: 1 });
  });

  it('reads only the histories of accounts that changed since the period began, with the same rows as every history read', async () => {
    await table.store.customers.upsertAccount(account({ accountId: 'rev-steady', mrr: 700, tier: 'tier3' }), day(2));
    await table.store.customers.upsertAccount(account({ accountId: 'rev-late', mrr: 900 }), day(3));
    await table.store.customers.upsertAccount(account({ accountId: 'rev-late', mrr: 0 }), day(70));
    const accounts = [...(await table.store.customers.getAccounts(['rev-1', 'rev-2', 'rev-steady', 'rev-late'])).values()];
    const period = { from: day(31), to: day(61) };
    const read: string[] = [];
    const counting = { revenueChangesBetween: table.store.customers.revenueChangesBetween.bind(table.store.customers), revenueHistoryOf: (id: string) => (read.push(id), table.store.customers.revenueHistoryOf(id)) };
    const partial = await revenueHistoriesFor(accounts, period, day(80), counting);
    const full = new Map(await Promise.all(accounts.map(async (stored) => [stored.accountId, await table.store.customers.revenueHistoryOf(stored.accountId)] as const)));
    expect(revenueRows(partial, period)).toEqual(revenueRows(full, period));
    // rev-1 changed on day 40 and rev-late after the period: only theirs are read whole.
    expect(read.sort()).toEqual(['rev-1', 'rev-late']);
  });

  it('npm run report -- revenue reads the stored histories (JSON for machines)', async () => {
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
    const result = await runScript('scripts/report.ts', ['revenue', '--from', day(31).toISOString(), '--to', day(61).toISOString(), '--format', 'json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.output.slice(result.output.indexOf('{'), result.output.lastIndexOf('}') + 1)) as { revenue: Array<{ key: string; startMrr: number; endMrr: number; expansionMrr: number }>; csql: { promoted: number } };
    // rev-1 went from 1000 to 1500 on day 40; rev-2 stayed at its day-5 figure.
    const tier2 = report.revenue.find((row) => row.key === 'tier2 JPY')!;
    expect(tier2.expansionMrr).toBe(500);
    expect(tier2.startMrr).toBe(1000 + tier2.endMrr - 1500);
    expect(report.csql.promoted).toBe(0);
  }, 60_000);

  it('npm run report -- revenue --by <account attribute> splits the rows by the CRM\'s value; an undeclared one is refused', async () => {
    await table.store.customers.upsertAccount(account({ accountId: 'rev-kansai', mrr: 300, attributes: { region: 'kansai' } }), day(10));
    await table.store.customers.upsertAccount(account({ accountId: 'rev-kansai', mrr: 450, attributes: { region: 'kansai' } }), day(45));
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
    const result = await runScript('scripts/report.ts', ['revenue', '--from', day(31).toISOString(), '--to', day(61).toISOString(), '--by', 'region', '--format', 'json'], env);
    expect(result.code, result.output).toBe(0);
    const report = JSON.parse(result.output.slice(result.output.indexOf('{'), result.output.lastIndexOf('}') + 1)) as { revenue: Array<{ key: string; accounts: number; expansionMrr: number }> };
    expect(report.revenue.find((row) => row.key === 'kansai JPY')).toMatchObject({ accounts: 1, expansionMrr: 150 });
    // Accounts the CRM gave no region.
    expect(report.revenue.find((row) => row.key === '(none) JPY')?.accounts).toBeGreaterThan(0);
    const refused = await runScript('scripts/report.ts', ['revenue', '--by', 'shoe-size'], env);
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/--by: tier, plan or an account attribute declared in campaigns\/attributes.yaml \(region, renewal_date\), got 'shoe-size'/u);
  }, 60_000);
});
