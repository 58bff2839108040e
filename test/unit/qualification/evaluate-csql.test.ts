import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CsqlRules } from '../../../core/config/schema/scoring.ts';
import type { Account } from '../../../core/customers/account.ts';
import type { CsqlState } from '../../../core/qualification/csql-promotion.ts';
import { evaluateCsql, type AccountFacts } from '../../../core/qualification/evaluate-csql.ts';

const rules: CsqlRules = {
  kind: 'csql-rules',
  cooldown: '30d',
  demoteBelowScore: 15,
  explainTopSignals: 3,
  rules: [
    { id: 'engaged', description: 'Engaged low-touch account', tiers: ['tier2', 'tier3'], minAccountScore: 40, minEngagedContacts: 3 },
    { id: 'webinar', description: 'Webinars on a product it does not own', minWebinarAttendances: 2, productsNotOwned: ['analytics'], minAccountScore: 25 },
  ],
};
const account: Account = { accountId: 'a', name: 'A', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' } as Account;
const facts = (total: number, engagedContacts = 3, attendances: AccountFacts['webinarAttendances'] = []): AccountFacts => ({
  account,
  engagement: { rollUp: total, engagedContacts, breadth: 0, total, signals: [], contacts: [] },
  health: 70,
  webinarAttendances: attendances,
});
const now = new Date('2026-12-02T00:00:00Z');

describe('CSQL evaluation', () => {
  it('promotes by the first matching rule with the values it compared', () => {
    expect(evaluateCsql(facts(45), undefined, rules, now)).toMatchObject({ action: 'promote', rule: { id: 'engaged' }, values: { accountScore: 45, engagedContacts: 3, tier: 'tier2' } });
    const webinar = evaluateCsql(facts(30, 1, [{ webinarId: 'w1', product: 'analytics' }, { webinarId: 'w2', product: 'analytics' }]), undefined, rules, now);
    expect(webinar).toMatchObject({ action: 'promote', rule: { id: 'webinar' }, values: { webinarAttendances: 2, productsNotOwned: 'analytics' } });
  });

  it('does not count webinars about a product the account owns, nor promote an account that owns it', () => {
    expect(evaluateCsql(facts(30, 1, [{ webinarId: 'w1', product: 'core' }, { webinarId: 'w2', product: 'core' }]), undefined, rules, now)).toMatchObject({ action: 'stay' });
    const owner = { ...facts(30, 1, [{ webinarId: 'w1', product: 'analytics' }, { webinarId: 'w2', product: 'analytics' }]), account: { ...account, products: ['core', 'analytics'] } };
    expect(evaluateCsql(owner, undefined, rules, now)).toMatchObject({ action: 'stay' });
  });

  it('keeps a CSQL until its score falls below the demotion level, then holds it off for the cooldown', () => {
    const csql: CsqlState = { accountId: 'a', status: 'csql', promotedAt: now.toISOString(), ruleId: 'engaged', version: 1 };
    expect(evaluateCsql(facts(20), csql, rules, now)).toMatchObject({ action: 'stay' });
    expect(evaluateCsql(facts(10), csql, rules, now)).toMatchObject({ action: 'demote' });
    const demoted: CsqlState = { ...csql, status: 'not-csql', demotedAt: now.toISOString(), version: 2 };
    expect(evaluateCsql(facts(80), demoted, rules, new Date(now.getTime() + 86_400_000))).toMatchObject({ action: 'stay', reason: expect.stringContaining('cooldown') });
    expect(evaluateCsql(facts(80), demoted, rules, new Date(now.getTime() + 31 * 86_400_000))).toMatchObject({ action: 'promote' });
  });

  it('does not flap: an account whose score wanders around the promotion threshold changes state at most once per crossing of the whole band (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 20, max: 60, noNaN: true }), { minLength: 2, maxLength: 60 }), (scores) => {
        // Daily evaluations; the score stays above demoteBelowScore (15), so once promoted it never demotes.
        let state: CsqlState | undefined;
        let changes = 0;
        scores.forEach((score, day) => {
          const decision = evaluateCsql(facts(score), state, rules, new Date(now.getTime() + day * 86_400_000));
          if (decision.action === 'promote') {
            state = { accountId: 'a', status: 'csql', promotedAt: now.toISOString(), ruleId: decision.rule.id, version: (state?.version ?? 0) + 1 };
            changes++;
          }
          if (decision.action === 'demote') changes++;
        });
        expect(changes).toBeLessThanOrEqual(1);
      }),
    );
  });
});
