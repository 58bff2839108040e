/**
 * Invariants a CSM relies on when reading a health score, over random DEAR models and figures:
 * every input, component and the total stay within 0-100, the band follows the thresholds, and
 * more of a good thing never lowers the score (a larger figure, a figure that arrives, a higher
 * engagement score), while a larger "per" figure (seats bought for seats used) never raises it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEALTH_DIMENSIONS, healthSchema, type HealthModel } from '../../../core/config/schema/scoring.ts';
import { computeHealth, type HealthScore } from '../../../core/scoring/health-score.ts';

/** Metrics divided (numerators) and metrics divided by (denominators) are kept apart, so each has one direction. */
const PARTS = ['p0', 'p1', 'p2', 'p3', 'p4'] as const;
const WHOLES = ['w0', 'w1'] as const;

const weight = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.double({ min: 0, max: 100, noNaN: true }), weight: 4 });
const target = fc.double({ min: 0.001, max: 10_000, noNaN: true });
const input = fc.oneof(
  fc.record({ metric: fc.constantFrom(...PARTS), per: fc.option(fc.constantFrom(...WHOLES), { nil: undefined }), target, weight }),
  fc.record({ engagementScore: fc.constant('account' as const), target, weight }),
);
const dimension = fc.record({ weight, inputs: fc.array(input, { minLength: 1, maxLength: 4 }) });
const thresholds = fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })).filter(([a, b]) => a !== b);

/** Random models, accepted by the config schema (so they are models a team could write). */
const model: fc.Arbitrary<HealthModel> = fc
  .record({ deployment: dimension, engagement: dimension, adoption: dimension, roi: dimension, thresholds })
  .map(({ thresholds: [a, b], ...dimensions }) => ({
    metrics: [...PARTS, ...WHOLES],
    ...Object.fromEntries(HEALTH_DIMENSIONS.map((name) => [name, { ...dimensions[name], inputs: dimensions[name].inputs.map((item) => Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined))) }])),
    bands: { healthy: { minScore: Math.max(a, b) }, watch: { minScore: Math.min(a, b) } },
  }))
  .map((raw) => healthSchema.safeParse(raw))
  .filter((parsed) => parsed.success)
  .map((parsed) => parsed.data as HealthModel);

const figure = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 1000 }));
/** Some metrics reported, some not. */
const usage = fc.record(Object.fromEntries([...PARTS, ...WHOLES].map((metric) => [metric, figure])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, number>>;
const engagementScore = fc.double({ min: -1e6, max: 1e6, noNaN: true });

/** Every score of `after` is at least that of `before` (inputs, components, total). */
function expectNotLower(after: HealthScore, before: HealthScore): void {
  expect(after.total).toBeGreaterThanOrEqual(before.total);
  after.components.forEach((component, index) => {
    expect(component.score).toBeGreaterThanOrEqual(before.components[index]!.score);
    component.inputs.forEach((input, position) => expect(input.score).toBeGreaterThanOrEqual(before.components[index]!.inputs[position]!.score));
  });
}

describe('DEAR health score properties', () => {
  it('keeps every input, component and the total within 0-100, in the band its thresholds give', () => {
    fc.assert(
      fc.property(model, usage, engagementScore, (health, figures, engagement) => {
        const score = computeHealth(health, { usage: figures, engagementScore: engagement });
        for (const component of score.components) {
          expect(component.score).toBeGreaterThanOrEqual(0);
          expect(component.score).toBeLessThanOrEqual(100);
          for (const input of component.inputs) {
            expect(input.score).toBeGreaterThanOrEqual(0);
            expect(input.score).toBeLessThanOrEqual(100);
          }
        }
        expect(score.total).toBeGreaterThanOrEqual(0);
        expect(score.total).toBeLessThanOrEqual(100);
        const { healthy, watch } = health.bands;
        expect(score.band).toBe(score.total >= healthy.minScore ? 'healthy' : score.total >= watch.minScore ? 'watch' : 'at-risk');
      }),
      { numRuns: 500 },
    );
  });

  it('never lowers any score when a figure grows or arrives, or when the engagement score grows', () => {
    fc.assert(
      fc.property(model, usage, engagementScore, fc.constantFrom(...PARTS), figure, fc.double({ min: 0, max: 1e6, noNaN: true }), (health, figures, engagement, metric, more, moreEngagement) => {
        const before = computeHealth(health, { usage: figures, engagementScore: engagement });
        expectNotLower(computeHealth(health, { usage: { ...figures, [metric]: (figures[metric] ?? 0) + more }, engagementScore: engagement }), before);
        expectNotLower(computeHealth(health, { usage: figures, engagementScore: engagement + moreEngagement }), before);
      }),
      { numRuns: 500 },
    );
  });

  it('never raises any score when the figure a ratio divides by grows', () => {
    fc.assert(
      fc.property(model, usage, engagementScore, fc.constantFrom(...WHOLES), figure, (health, figures, engagement, metric, more) => {
        fc.pre(figures[metric] !== undefined);
        const grown = computeHealth(health, { usage: { ...figures, [metric]: figures[metric]! + more }, engagementScore: engagement });
        expectNotLower(computeHealth(health, { usage: figures, engagementScore: engagement }), grown);
      }),
      { numRuns: 500 },
    );
  });
});
