/**
 * NPS feeds the DEAR health score: an account whose contacts answered scores its NPS against the
 * target; an account nobody answered has the input listed as missing and left out of its dimension.
 */
import { describe, expect, it } from 'vitest';
import { healthSchema } from '../../../core/config/schema/scoring.ts';
import { computeHealth } from '../../../core/scoring/health-score.ts';

const MODEL = healthSchema.parse({
  metrics: ['logins_30d'],
  deployment: { weight: 0, inputs: [{ metric: 'logins_30d', target: 100 }] },
  engagement: { weight: 1, inputs: [{ engagementScore: 'account', target: 40 }, { nps: 'account', target: 30 }] },
  adoption: { weight: 0, inputs: [{ metric: 'logins_30d', target: 100 }] },
  roi: { weight: 0, inputs: [{ metric: 'logins_30d', target: 100 }] },
  bands: { healthy: { minScore: 70 }, watch: { minScore: 40 } },
});

const engagementOf = (nps: number | undefined) => computeHealth(MODEL, { usage: {}, engagementScore: 40, nps }).components.find((component) => component.dimension === 'engagement');

describe('the NPS health input', () => {
  it('is left out of its dimension (and listed as missing) when nobody answered', () => {
    const health = computeHealth(MODEL, { usage: {}, engagementScore: 40 });
    expect(engagementOf(undefined)?.score).toBe(100);
    expect(health.missing).toContainEqual({ dimension: 'engagement', input: 'NPS (account)', metrics: ['nps'] });
  });

  it('scores the NPS from 0 at -100 to 100 at the target, so detractors lower health', () => {
    expect(engagementOf(30)?.score).toBe(100);
    expect(engagementOf(-100)?.score).toBe(50);
    expect(engagementOf(-35)?.score).toBeCloseTo(75, 5);
    expect(engagementOf(-20)?.score ?? 0).toBeGreaterThan(engagementOf(-60)?.score ?? 0);
  });
});
