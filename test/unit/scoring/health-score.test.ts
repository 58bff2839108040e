/**
 * The DEAR health score a CSM reads: each input against its target, each dimension the weighted
 * mean of its inputs, the total the weighted mean of the dimensions, the band from the configured
 * thresholds, and the inputs with no figure named so someone can go and get it.
 */
import { describe, expect, it } from 'vitest';
import { healthSchema, type HealthModel } from '../../../core/config/schema/scoring.ts';
import { computeHealth, engagementScoreNow, readAccountHealth } from '../../../core/scoring/health-score.ts';
import { scaledIncrement } from '../../../core/scoring/decayed-score.ts';
import { memoryUsageStore } from '../../support/memory-store.ts';
import type { Scoring } from '../../../core/config/schema/scoring.ts';

const MODEL: HealthModel = healthSchema.parse({
  metrics: ['seats_bought', 'seats_used', 'integrations_connected', 'active_users', 'key_feature_use', 'logins_30d', 'reports_scheduled', 'hours_saved'],
  deployment: {
    weight: 25,
    inputs: [
      { metric: 'seats_used', per: 'seats_bought', target: 0.8, weight: 2 },
      { metric: 'integrations_connected', target: 3 },
    ],
  },
  engagement: { weight: 25, inputs: [{ engagementScore: 'account', target: 40 }] },
  adoption: {
    weight: 30,
    inputs: [
      { metric: 'active_users', per: 'seats_used', target: 0.7, weight: 2 },
      { metric: 'key_feature_use', target: 50 },
      { metric: 'logins_30d', target: 200 },
    ],
  },
  roi: { weight: 20, inputs: [{ metric: 'reports_scheduled', target: 10 }, { metric: 'hours_saved', target: 40 }] },
  bands: { healthy: { minScore: 70 }, watch: { minScore: 40 } },
});

const USAGE = { seats_bought: 100, seats_used: 60, integrations_connected: 1, active_users: 42, key_feature_use: 25, logins_30d: 250, reports_scheduled: 5 };

const componentScores = (model: HealthModel, usage: Record<string, number>, engagementScore: number) =>
  Object.fromEntries(computeHealth(model, { usage, engagementScore }).components.map((component) => [component.dimension, component.score]));

describe('computeHealth', () => {
  it('scores each input against its target, each dimension as the weighted mean, the total as the weighted DEAR mean', () => {
    const health = computeHealth(MODEL, { usage: USAGE, engagementScore: 20 });
    const deployment = (2 * 75 + 100 / 3) / 3; // seats 0.6 of 0.8 = 75, integrations 1 of 3
    const adoption = (2 * 100 + 50 + 100) / 4; // 42 of 60 seats active = 0.7 (at target), 25 of 50, 250 above 200
    const roi = (50 + 0) / 2; // hours_saved never reported: 0
    expect(health.components.map((component) => component.dimension)).toEqual(['deployment', 'engagement', 'adoption', 'roi']);
    expect(health.components.map((component) => component.score)).toEqual([expect.closeTo(deployment, 9), 50, expect.closeTo(adoption, 9), roi]);
    expect(health.total).toBeCloseTo((25 * deployment + 25 * 50 + 30 * adoption + 20 * roi) / 100, 9);
    expect(health.band).toBe('watch');
    expect(health.components[0]?.inputs[0]).toEqual({ label: 'seats_used / seats_bought', value: 0.6, target: 0.8, weight: 2, score: expect.closeTo(75, 9), missingMetrics: [] });
  });

  it('names the inputs that have no figure and scores them 0', () => {
    const health = computeHealth(MODEL, { usage: { seats_used: 10, logins_30d: 50 }, engagementScore: 0 });
    expect(health.missing).toEqual([
      { dimension: 'deployment', input: 'seats_used / seats_bought', metrics: ['seats_bought'] },
      { dimension: 'deployment', input: 'integrations_connected', metrics: ['integrations_connected'] },
      { dimension: 'adoption', input: 'active_users / seats_used', metrics: ['active_users'] },
      { dimension: 'adoption', input: 'key_feature_use', metrics: ['key_feature_use'] },
      { dimension: 'roi', input: 'reports_scheduled', metrics: ['reports_scheduled'] },
      { dimension: 'roi', input: 'hours_saved', metrics: ['hours_saved'] },
    ]);
    expect(componentScores(MODEL, { seats_used: 10, logins_30d: 50 }, 0)).toEqual({ deployment: 0, engagement: 0, adoption: 25 / 4, roi: 0 });
  });

  it('puts the total in the band its thresholds say, the threshold itself included', () => {
    const all = { seats_bought: 10, seats_used: 8, integrations_connected: 3, active_users: 8, key_feature_use: 50, logins_30d: 200, reports_scheduled: 10, hours_saved: 40 };
    expect(computeHealth(MODEL, { usage: all, engagementScore: 40 })).toMatchObject({ total: 100, band: 'healthy', missing: [] });
    // Engagement alone at target: 25 of 100.
    expect(computeHealth(MODEL, { usage: {}, engagementScore: 400 })).toMatchObject({ total: 25, band: 'at-risk' });
    const at = (minScore: number) => ({ ...MODEL, bands: { healthy: { minScore: 90 }, watch: { minScore } } });
    expect(computeHealth(at(25), { usage: {}, engagementScore: 40 }).band).toBe('watch');
    expect(computeHealth(at(25.01), { usage: {}, engagementScore: 40 }).band).toBe('at-risk');
  });

  it('reads a ratio of nothing to nothing as 0 and of something to nothing as full, and a negative engagement score as 0', () => {
    const health = computeHealth(MODEL, { usage: { seats_bought: 0, seats_used: 0, active_users: 3 }, engagementScore: -12 });
    expect(health.components[0]?.inputs[0]).toMatchObject({ value: 0, score: 0, missingMetrics: [] });
    expect(health.components[2]?.inputs[0]).toMatchObject({ value: Infinity, score: 100, missingMetrics: [] });
    expect(health.components[1]?.score).toBe(0);
  });

  it('leaves a dimension of weight 0 out of the total', () => {
    const model = { ...MODEL, engagement: { ...MODEL.engagement, weight: 0 } };
    const full = { seats_bought: 10, seats_used: 8, integrations_connected: 3, active_users: 8, key_feature_use: 50, logins_30d: 200, reports_scheduled: 10, hours_saved: 40 };
    expect(computeHealth(model, { usage: full, engagementScore: 0 }).total).toBe(100);
    expect(computeHealth(MODEL, { usage: full, engagementScore: 0 }).total).toBe(75);
  });
});

describe('readAccountHealth', () => {
  it('reads the latest usage per metric and the decayed engagement score of the account', async () => {
    const usage = memoryUsageStore();
    const at = '2026-03-01T00:00:00.000Z';
    await usage.recordUsage([{ accountId: 'acc', at, metrics: { seats_bought: 10, seats_used: 4 }, recordId: 'h:1' }]);
    const halfLife = '14d';
    const now = new Date('2026-03-15T00:00:00Z');
    const epoch = Date.UTC(2026, 0, 1);
    // 40 points earned 14 days (one half-life) ago: 20 now.
    const scaledSum = scaledIncrement(40, new Date(at), 14 * 86_400_000, epoch);
    const scores = { getScore: async () => ({ scope: 'account' as const, id: 'acc', epoch, scaledSum, signals: {}, updatedAt: at, version: 1 }) };
    const scoring = { halfLife, health: MODEL } as Scoring;
    const { health, engagementScore, latest } = await readAccountHealth('acc', { usage, scores, scoring, now });
    expect(engagementScore).toBeCloseTo(20, 9);
    expect(latest?.metrics.seats_used).toEqual({ value: 4, at, recordId: 'h:1' });
    expect(health.components[0]?.inputs[0]).toMatchObject({ value: 0.4, score: 50 });
    expect(health.components[1]?.score).toBeCloseTo(50, 9);
  });

  it('takes an account without a stored score as engagement 0', () => {
    expect(engagementScoreNow(undefined, new Date(), '14d')).toBe(0);
  });
});
