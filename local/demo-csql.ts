/**
 * The demo's CSQL chapter: the CRM's product-usage figures arrive through the ingest API for the
 * accounts with the most engagement (a malformed record first: refused with its field named, and
 * nothing written), then every account is evaluated against the CSQL rules; promotions are
 * published to the local bus as `AccountQualifiedAsCsql`. Then the CRM answers (one accepted, one
 * rejected) and the rejected one is demoted. Returns the promotions for the summary.
 */
import { CSQL_QUALIFIED } from '../core/qualification/csql-promotion.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { TIERS } from '../core/config/schema/common.ts';
import type { CsqlPromotion } from '../core/qualification/csql-promotion.ts';
import { accountFacts } from '../core/qualification/qualify-accounts.ts';
import type { VirtualClock } from '../adapters/local/virtual-clock.ts';
import type { LocalEngine } from './engine-wiring.ts';

export interface CsqlDemoResult {
  usageRefusal: string;
  usageAccounts: number;
  promotions: CsqlPromotion[];
  published: number;
  evaluated: number;
  /** What the CRM said back: one CSQL accepted (its opportunity open), one rejected, and the demotions that followed. */
  crm: { accepted?: string; rejected?: string; demoted: Array<{ accountId: string; reason: string }> };
}

export async function runCsqlDemo(input: { engine: LocalEngine; config: EngineConfig; clock: VirtualClock; engineUrl: string; ingestToken: string }): Promise<CsqlDemoResult> {
  const { engine, config, clock } = input;
  const log = (line: string) => console.log(`  ${clock.now().toISOString().slice(0, 16)}Z  ${line}`);
  const deps = { ...engine.store, config, clock };
  const accounts = (await Promise.all(TIERS.map((tier) => engine.store.customers.listAccountsByTier(tier)))).flat();
  // Three low-touch accounts whose people kept reading this week (opens and clicks of the newsletter,
  // through the one engagement path): chosen by id, so every run promotes the same ones.
  const readers: string[] = [];
  for (const account of [...accounts].filter((candidate) => candidate.tier !== 'tier1').sort((a, b) => a.accountId.localeCompare(b.accountId))) {
    if (readers.length === 3) break;
    const people = (await engine.store.customers.listContactsOfAccount(account.accountId)).filter((contact) => contact.consent === 'granted').slice(0, 3);
    if (people.length < 3) continue;
    readers.push(account.accountId);
    for (const [index, contact] of people.entries()) {
      for (let read = 0; read < 7; read++) {
        const type = read < 4 ? 'open' : 'click';
        await engine.engagement.recordEvent({
          eventId: `demo-read:${contact.contactId}:${read}`,
          type,
          contactId: contact.contactId,
          accountId: account.accountId,
          occurredAt: new Date(clock.now().getTime() - (index * 7 + read + 1) * 3_600_000).toISOString(),
          campaignId: 'monthly-newsletter',
          runId: 'demo-week',
          machine: false,
          detail: {},
        });
      }
    }
  }
  log(`this week three people each at ${readers.join(', ')} opened and clicked again (recorded through the engagement path)`);
  const ranked = [];
  for (const account of accounts) ranked.push({ account, facts: await accountFacts(account, deps, clock.now()) });
  ranked.sort((a, b) => b.facts.engagement.total - a.facts.engagement.total);
  const post = (body: unknown) =>
    fetch(`${input.engineUrl}/api/ingest/usage`, { method: 'POST', headers: { authorization: `Bearer ${input.ingestToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const at = clock.now().toISOString();
  const healthy = { seats_bought: 20, seats_used: 18, integrations_connected: 3, active_users: 15, key_feature_use: 60, logins_30d: 300, reports_scheduled: 12, hours_saved: 45 };
  const refused = await post({ usage: [{ accountId: ranked[0]?.account.accountId, at, metrics: { ...healthy, seats_used: 'eighteen' } }] });
  const usageRefusal = `${refused.status} ${((await refused.json()) as { error?: string }).error ?? ''}`;
  log(`usage with a malformed figure: ${usageRefusal} (nothing written)`);
  const top = [...ranked.filter(({ account }) => readers.includes(account.accountId)), ...ranked.filter(({ account }) => !readers.includes(account.accountId)).slice(0, 12)];
  const accepted = await post({ usage: top.map(({ account }) => ({ accountId: account.accountId, at, metrics: healthy })) });
  if (accepted.status !== 200) throw new Error(`usage ingest answered ${accepted.status}: ${await accepted.text()}`);
  log(`product usage of the ${top.length} most engaged accounts through POST /api/ingest/usage`);
  const outcomes = await engine.qualify();
  const promoted = outcomes.filter((outcome) => outcome.decision === 'promote' && outcome.promotion).map((outcome) => outcome.promotion as CsqlPromotion);
  for (const promotion of promoted) {
    const signals = promotion.topSignals.map((signal) => `${signal.signal} ${signal.contribution}`).join(', ');
    log(`CSQL ${promotion.accountId} by ${promotion.ruleId}: score ${promotion.accountScore}, health ${promotion.health}, ${String(promotion.values.engagedContacts ?? '?')} engaged contacts; ${signals}; latest: ${promotion.evidence[0] ? `${promotion.evidence[0].contactId} ${promotion.evidence[0].type} ${promotion.evidence[0].occurredAt}` : 'none'}`);
  }
  const again = await engine.qualify();
  log(`evaluated ${outcomes.length} accounts: ${promoted.length} promoted, published to the local bus as AccountQualifiedAsCsql; evaluating again promotes ${again.filter((outcome) => outcome.decision === 'promote').length}`);
  // The promotions' events (a reputation auto-pause's event goes out through the same outbox).
  const published = engine.bus.ofType(CSQL_QUALIFIED).length;
  const crm = await crmAnswers(promoted, { ...input, log });
  return { usageRefusal, usageAccounts: top.length, promotions: promoted, published, evaluated: outcomes.length, crm };
}

/**
 * Sales answers through the CRM (POST /api/ingest/csql-outcomes): the first CSQL accepted with an
 * opportunity opened, the second rejected with the reason; the next evaluation demotes the rejected one.
 */
async function crmAnswers(promoted: readonly CsqlPromotion[], input: { engine: LocalEngine; clock: VirtualClock; engineUrl: string; ingestToken: string; log: (line: string) => void }): Promise<CsqlDemoResult['crm']> {
  const [first, second] = promoted;
  if (!first || !second) return { demoted: [] };
  const at = input.clock.now().toISOString();
  const response = await fetch(`${input.engineUrl}/api/ingest/csql-outcomes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${input.ingestToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      outcomes: [
        { eventId: 'demo-crm-1', accountId: first.accountId, type: 'csql-accepted', at, opportunityId: 'opp-demo-1' },
        { eventId: 'demo-crm-2', accountId: second.accountId, type: 'csql-rejected', at, reason: 'renewing through a partner this year' },
      ],
    }),
  });
  if (response.status !== 200) throw new Error(`CSQL outcomes ingest answered ${response.status}: ${await response.text()}`);
  input.log(`the CRM answers: ${first.accountId} accepted (opportunity opp-demo-1 open), ${second.accountId} rejected (renewing through a partner this year)`);
  const demoted = (await input.engine.qualify()).filter((outcome) => outcome.decision === 'demote').map((outcome) => ({ accountId: outcome.accountId, reason: outcome.reason ?? '' }));
  for (const demotion of demoted) input.log(`${demotion.accountId} demoted: ${demotion.reason} (not promoted again for 90 days)`);
  return { accepted: first.accountId, rejected: second.accountId, demoted };
}
