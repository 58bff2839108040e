/**
 * What the CRM says back, through POST /api/ingest/csql-outcomes into DynamoDB Local, and what the
 * CSQL rules do with it: a bad request is refused whole (400 naming the field, nothing written); the
 * same outcomes again store nothing new; an older report never reopens a closed opportunity; an
 * account with an open opportunity is not promoted; a CSQL that sales rejects is demoted and held
 * off for the rejection cool-down; and seat utilisation rising over 30 days (read back from the
 * usage history with one bounded query) promotes by its rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { CsqlRules } from '../../core/config/schema/scoring.ts';
import { qualifyAccounts, type QualifyDeps } from '../../core/qualification/qualify-accounts.ts';
import { recordEngagement } from '../../core/scoring/record-engagement.ts';
import { createHttpApp } from '../../http/app.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let app: ReturnType<typeof createHttpApp>;
let now = new Date('2026-12-10T07:00:00Z');
const clock = { now: () => now };
const day = 86_400_000;
const auth = { authorization: 'Bearer ingest-token-for-tests', 'content-type': 'application/json' };
const post = (body: unknown) => app.request('/api/ingest/csql-outcomes', { method: 'POST', body: JSON.stringify(body), headers: auth });
const ago = (days: number) => new Date(now.getTime() - days * day).toISOString();

/** One rule that anyone with a little engagement meets, so only the exclusions and the CRM decide. */
const lenient = (extra: Partial<CsqlRules['rules'][number]> = {}): EngineConfig => ({
  ...config,
  csqlRules: { ...config.csqlRules, demoteBelowScore: 0, cooldown: '1d', exclusions: { openOpportunity: true, rejectionCooldown: '90d' }, rules: [{ id: 'any', description: 'any engagement', minAccountScore: 0.5, ...extra }] },
});
const deps = (engineConfig: EngineConfig): QualifyDeps => ({ ...table.store, config: engineConfig, clock });

beforeAll(async () => {
  table = await createTestTable('crm-outcomes');
  ({ config } = await openConfig());
  app = createHttpApp({ customers: table.store.customers, clock, ingestToken: 'ingest-token-for-tests', crmOutcomes: { pipeline: table.store.pipeline, customers: table.store.customers, clock } });
  for (const accountId of ['acme', 'globex', 'initech']) {
    await table.store.customers.upsertAccount({ accountId, name: accountId, tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    await table.store.customers.upsertContact({ contactId: `${accountId}-1`, accountId, email: `one@${accountId}.example`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
});
afterAll(() => table.drop());

async function engage(accountId: string): Promise<void> {
  await recordEngagement(
    { eventId: `click-${accountId}-${now.toISOString()}`, type: 'click', contactId: `${accountId}-1`, accountId, occurredAt: now.toISOString(), campaignId: 'monthly-newsletter', runId: 'r1', machine: false, detail: {} },
    { engagement: table.store.engagement, scores: table.store.scores, scoring: config.scoring, clock },
  );
}

describe('POST /api/ingest/csql-outcomes', () => {
  it('refuses a request with a bad outcome whole, naming each bad field, and writes nothing', async () => {
    const response = await post({
      outcomes: [
        { accountId: 'acme', type: 'opportunity-opened', at: ago(1), opportunityId: 'opp-1' },
        { accountId: 'acme', type: 'csql-rejected', at: ago(1) },
        { accountId: 'acme', type: 'opportunity-won', at: '2026-12-09', opportunityId: 'opp-1', expansionMrr: 1200 },
      ],
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; problems: Array<{ field: string }> };
    expect(body.problems.map((problem) => problem.field)).toEqual(expect.arrayContaining(['outcomes[1].reason', 'outcomes[2].at', 'outcomes[2].currency']));
    const unknown = await post({ outcomes: [{ accountId: 'nobody', type: 'opportunity-opened', at: ago(1), opportunityId: 'opp-9' }] });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("outcomes[0].accountId: no account 'nobody'");
    expect(await table.store.pipeline.pipelineOf('acme')).toEqual({ openOpportunities: [] });
    expect(await table.store.pipeline.listOutcomesOfAccount('acme')).toEqual([]);
  });

  it('stores each outcome once, and an older report never reopens a closed opportunity', async () => {
    const won = { eventId: 'crm-77', accountId: 'acme', type: 'opportunity-won', at: ago(2), opportunityId: 'opp-1', expansionMrr: 1200, currency: 'USD' };
    const opened = { eventId: 'crm-76', accountId: 'acme', type: 'opportunity-opened', at: ago(20), opportunityId: 'opp-1' };
    expect(await (await post({ outcomes: [won] })).json()).toEqual({ outcomes: 1, recorded: 1, duplicates: 0 });
    // The opening arrives late, then everything is resent.
    expect(await (await post({ outcomes: [opened] })).json()).toEqual({ outcomes: 1, recorded: 1, duplicates: 0 });
    expect(await (await post({ outcomes: [won, opened] })).json()).toEqual({ outcomes: 2, recorded: 0, duplicates: 2 });
    expect(await table.store.pipeline.pipelineOf('acme')).toEqual({ openOpportunities: [] });
    expect((await table.store.pipeline.listOutcomesOfAccount('acme')).map((outcome) => [outcome.type, outcome.expansionMrr])).toEqual([
      ['opportunity-opened', undefined],
      ['opportunity-won', 1200],
    ]);
  });

  it('does not promote an account with an open opportunity, and does once it is lost', async () => {
    await engage('globex');
    expect((await post({ outcomes: [{ accountId: 'globex', type: 'opportunity-opened', at: ago(3), opportunityId: 'opp-2' }] })).status).toBe(200);
    const [excluded] = await qualifyAccounts(['globex'], deps(lenient()));
    expect(excluded).toMatchObject({ decision: 'stay', reason: expect.stringContaining('opp-2') });
    await post({ outcomes: [{ accountId: 'globex', type: 'opportunity-lost', at: ago(1), opportunityId: 'opp-2', reason: 'chose a competitor' }] });
    const [promoted] = await qualifyAccounts(['globex'], deps(lenient()));
    expect(promoted).toMatchObject({ decision: 'promote' });
  });

  it('demotes a CSQL sales rejected and holds it off for the rejection cool-down', async () => {
    await engage('initech');
    expect((await qualifyAccounts(['initech'], deps(lenient())))[0]).toMatchObject({ decision: 'promote' });
    now = new Date(now.getTime() + day);
    await post({ outcomes: [{ accountId: 'initech', type: 'csql-rejected', at: ago(0), reason: 'no budget this year' }] });
    expect((await qualifyAccounts(['initech'], deps(lenient())))[0]).toMatchObject({ decision: 'demote', reason: 'rejected by sales: no budget this year' });
    expect(await table.store.csql.getState('initech')).toMatchObject({ status: 'not-csql', demotionReason: 'rejected by sales: no budget this year' });
    // The ordinary cooldown (1 day here) is long over; the rejection cool-down (90 days) is not.
    now = new Date(now.getTime() + 10 * day);
    await engage('initech');
    expect((await qualifyAccounts(['initech'], deps(lenient())))[0]).toMatchObject({ decision: 'stay', reason: expect.stringContaining('no budget this year') });
  });
});

describe('seat utilisation rising', () => {
  it('reads the figures as they stood 30 days ago from the usage history, and promotes on a rise', async () => {
    await table.store.customers.upsertAccount({ accountId: 'umbrella', name: 'Umbrella', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    await table.store.usage.recordUsage([
      { accountId: 'umbrella', at: ago(60), recordId: 'e:u1', metrics: { seats_bought: 50, seats_used: 30 } },
      { accountId: 'umbrella', at: ago(35), recordId: 'e:u2', metrics: { seats_bought: 50, seats_used: 33 } },
      { accountId: 'umbrella', at: ago(2), recordId: 'e:u3', metrics: { seats_bought: 50, seats_used: 44 } },
    ]);
    expect(await table.store.usage.usageAsOf('umbrella', new Date(now.getTime() - 30 * day))).toEqual({ seats_bought: 50, seats_used: 33 });
    const rising = lenient({ minAccountScore: 0, usageRising: { metric: 'seats_used', per: 'seats_bought', over: '30d', minIncrease: 0.1 } });
    const [outcome] = await qualifyAccounts(['umbrella'], deps(rising));
    expect(outcome).toMatchObject({ decision: 'promote', promotion: { values: { 'usage.seats_used/seats_bought': '0.66 -> 0.88 in 30d' } } });
    const steep = lenient({ minAccountScore: 0, usageRising: { metric: 'seats_used', per: 'seats_bought', over: '30d', minIncrease: 0.3 } });
    await table.store.customers.upsertAccount({ accountId: 'wayne', name: 'Wayne', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    await table.store.usage.recordUsage([
      { accountId: 'wayne', at: ago(35), recordId: 'e:w1', metrics: { seats_bought: 50, seats_used: 33 } },
      { accountId: 'wayne', at: ago(2), recordId: 'e:w2', metrics: { seats_bought: 50, seats_used: 44 } },
    ]);
    expect((await qualifyAccounts(['wayne'], deps(steep)))[0]).toMatchObject({ decision: 'stay' });
  });
});
