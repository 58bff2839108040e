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
  exclusions: { openOpportunity: true, rejectionCooldown: '90d' },
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
const day = 86_400_000;

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
  describe('exclusions and the CRM', () => {
    it('does not promote an account with an open opportunity, and promotes it once the opportunity closes', () => {
      const open = { ...facts(80), pipeline: { openOpportunities: ['opp-7'] } };
      expect(evaluateCsql(open, undefined, rules, now)).toMatchObject({ action: 'stay', reason: expect.stringContaining('opp-7') });
      expect(evaluateCsql({ ...facts(80), pipeline: { openOpportunities: [] } }, undefined, rules, now)).toMatchObject({ action: 'promote' });
      const ignoring = { ...rules, exclusions: { openOpportunity: false } };
      expect(evaluateCsql(open, undefined, ignoring, now)).toMatchObject({ action: 'promote' });
    });

    it('demotes a CSQL sales rejected, and holds it off for the rejection cool-down, not only the ordinary one', () => {
      const promotedAt = new Date(now.getTime() - 10 * day).toISOString();
      const csql: CsqlState = { accountId: 'a', status: 'csql', promotedAt, ruleId: 'engaged', version: 1 };
      const rejected = { ...facts(80), pipeline: { openOpportunities: [], lastRejection: { at: new Date(now.getTime() - day).toISOString(), reason: 'no budget until April' } } };
      expect(evaluateCsql(rejected, csql, rules, now)).toEqual({ action: 'demote', reason: 'rejected by sales: no budget until April' });
      // An older rejection (before this promotion) does not take the new promotion back.
      const older = { ...rejected, pipeline: { openOpportunities: [], lastRejection: { at: new Date(now.getTime() - 20 * day).toISOString(), reason: 'old' } } };
      expect(evaluateCsql(older, csql, rules, now)).toMatchObject({ action: 'stay', reason: 'already a CSQL' });
      const demoted: CsqlState = { ...csql, status: 'not-csql', demotedAt: now.toISOString(), version: 2 };
      // 40 days later the ordinary 30-day cooldown is over; the 90-day rejection cool-down is not.
      expect(evaluateCsql(rejected, demoted, rules, new Date(now.getTime() + 40 * day))).toMatchObject({ action: 'stay', reason: expect.stringContaining('no budget until April') });
      expect(evaluateCsql(rejected, demoted, rules, new Date(now.getTime() + 90 * day))).toMatchObject({ action: 'promote' });
    });

    it('keeps a CSQL whose opportunity is open even when its score falls or the promotion would expire', () => {
      const csql: CsqlState = { accountId: 'a', status: 'csql', promotedAt: new Date(now.getTime() - 200 * day).toISOString(), ruleId: 'engaged', version: 1 };
      const expiring = { ...rules, expireAfter: '90d' };
      expect(evaluateCsql({ ...facts(2), pipeline: { openOpportunities: ['opp-1'] } }, csql, expiring, now)).toMatchObject({ action: 'stay', reason: expect.stringContaining('sales pipeline') });
      expect(evaluateCsql({ ...facts(2), pipeline: { openOpportunities: [] } }, csql, expiring, now)).toMatchObject({ action: 'demote' });
    });
  });

  describe('conditions over health components, signals, recent webinars and rising usage', () => {
    const rule = (extra: Partial<CsqlRules['rules'][number]>): CsqlRules => ({ ...rules, rules: [{ id: 'r', description: 'r', ...extra }] });
    it('needs each named DEAR component at its minimum', () => {
      const strong = { ...facts(10), healthDimensions: { adoption: 72, deployment: 40 } };
      expect(evaluateCsql(strong, undefined, rule({ minHealthDimensions: { adoption: 60 } }), now)).toMatchObject({ action: 'promote', values: { 'health.adoption': 72 } });
      expect(evaluateCsql(strong, undefined, rule({ minHealthDimensions: { adoption: 60, deployment: 50 } }), now)).toMatchObject({ action: 'stay' });
      expect(evaluateCsql(facts(10), undefined, rule({ minHealthDimensions: { roi: 1 } }), now)).toMatchObject({ action: 'stay' });
    });

    it('needs a signal to have contributed at least its minimum (decayed: recent activity of that kind)', () => {
      const clicking = { ...facts(10), engagement: { ...facts(10).engagement, signals: [{ signal: 'click', score: 7.04 }, { signal: 'open', score: 3 }] } };
      expect(evaluateCsql(clicking, undefined, rule({ minSignals: { click: 6 } }), now)).toMatchObject({ action: 'promote', values: { 'signal.click': 7 } });
      expect(evaluateCsql(clicking, undefined, rule({ minSignals: { click: 6, webinarAttended: 1 } }), now)).toMatchObject({ action: 'stay' });
    });

    it('counts only webinars attended within the window', () => {
      const at = (days: number) => new Date(now.getTime() - days * day).toISOString();
      const attended = facts(30, 1, [{ webinarId: 'w1', product: 'analytics', at: at(10) }, { webinarId: 'w2', product: 'analytics', at: at(100) }]);
      expect(evaluateCsql(attended, undefined, rule({ minWebinarAttendances: 2, productsNotOwned: ['analytics'] }), now)).toMatchObject({ action: 'promote' });
      expect(evaluateCsql(attended, undefined, rule({ minWebinarAttendances: 2, productsNotOwned: ['analytics'], webinarsWithin: '60d' }), now)).toMatchObject({ action: 'stay' });
      expect(evaluateCsql(attended, undefined, rule({ minWebinarAttendances: 1, productsNotOwned: ['analytics'], webinarsWithin: '60d' }), now)).toMatchObject({ action: 'promote', values: { webinarAttendances: 1 } });
    });

    it('sees seat utilisation rising over the period, and no rise without a figure from then', () => {
      const rising = rule({ usageRising: { metric: 'seats_used', per: 'seats_bought', over: '30d', minIncrease: 0.1 } });
      const usage = (before: Record<string, number>) => ({ ...facts(10), usage: { now: { seats_used: 45, seats_bought: 50 }, before: { '30d': before } } });
      expect(evaluateCsql(usage({ seats_used: 35, seats_bought: 50 }), undefined, rising, now)).toMatchObject({ action: 'promote', values: { 'usage.seats_used/seats_bought': '0.7 -> 0.9 in 30d' } });
      expect(evaluateCsql(usage({ seats_used: 42, seats_bought: 50 }), undefined, rising, now)).toMatchObject({ action: 'stay' });
      expect(evaluateCsql(usage({}), undefined, rising, now)).toMatchObject({ action: 'stay' });
      // More seats bought with the same users is not rising utilisation.
      expect(evaluateCsql(usage({ seats_used: 45, seats_bought: 40 }), undefined, rising, now)).toMatchObject({ action: 'stay' });
    });
  });
});
