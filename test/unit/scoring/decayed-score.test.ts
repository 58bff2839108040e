/**
 * The decayed score as the engagement path keeps it: increments stated against the era of the
 * moment they are written, stored scores rebased when a new era begins. Modelled here without a
 * store (the same functions the path and the adapter use), against the closed form
 * sum of w * 2^(-(now - t) / halfLife).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERA_HALF_LIVES, eraOf, MIN_HALF_LIFE_MS, scaledIncrement, SCORE_EPOCH, scoreAt } from '../../../core/scoring/decayed-score.ts';
import { rebasedScore, type StoredScore } from '../../../core/scoring/score.ts';

interface Signal {
  id: string;
  weight: number;
  at: number;
  /** When it was written (at or after `at`: events arrive late, out of order, twice). */
  writtenAt: number;
}

/** What the store would hold after writing these signals in this order, deduplicated by id. */
function storeAfter(signals: readonly Signal[], halfLifeMs: number): StoredScore | undefined {
  let stored: StoredScore | undefined;
  const seen = new Set<string>();
  for (const signal of signals) {
    if (seen.has(signal.id)) continue;
    seen.add(signal.id);
    const era = eraOf(new Date(signal.writtenAt), halfLifeMs);
    if (stored && stored.epoch < era) stored = rebasedScore(stored, era, halfLifeMs);
    // A store ahead of this writer's era (another worker's clock): the writer states it against the stored epoch.
    const epoch = stored ? Math.max(stored.epoch, era) : era;
    const scaled = scaledIncrement(signal.weight, new Date(signal.at), halfLifeMs, epoch);
    stored = { scope: 'contact', id: 'c', epoch, scaledSum: (stored?.scaledSum ?? 0) + scaled, signals: {}, updatedAt: new Date(signal.writtenAt).toISOString(), version: (stored?.version ?? 0) + 1 };
  }
  return stored;
}

const closedForm = (signals: readonly Signal[], now: number, halfLifeMs: number) =>
  [...new Map(signals.map((signal) => [signal.id, signal])).values()].reduce((sum, signal) => sum + signal.weight * 2 ** (-(now - signal.at) / halfLifeMs), 0);

const TEN_YEARS = 10 * 365 * 86_400_000;
const halfLives = fc.constantFrom(MIN_HALF_LIFE_MS, 86_400_000, 14 * 86_400_000, 90 * 86_400_000);
const signalsOver = (span: number) =>
  fc.array(
    fc.record({ id: fc.integer({ min: 0, max: 40 }).map(String), weight: fc.integer({ min: 1, max: 1000 }), at: fc.integer({ min: 0, max: span }), lag: fc.integer({ min: 0, max: 7 * 86_400_000 }) }),
    { minLength: 1, maxLength: 60 },
  ).map((raw) => [...new Map(raw.map(({ id, weight, at, lag }) => [id, { id, weight, at: SCORE_EPOCH + at, writtenAt: SCORE_EPOCH + at + lag }])).values()]);

/** Equal up to floating-point rounding of a sum (relative 1e-9). */
const expectClose = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));

describe('the decayed score', () => {
  it('is the closed-form decayed sum whatever the order of writes and however often an event is resent (property)', () => {
    fc.assert(
      fc.property(halfLives, signalsOver(60 * 86_400_000), fc.boolean(), (halfLifeMs, signals, twice) => {
        const written = twice ? [...signals, ...signals] : signals;
        // Writes happen in the order they arrive: any order of arrival, each written at its own time.
        const byArrival = [...written].sort((a, b) => a.writtenAt - b.writtenAt);
        const now = Math.max(...written.map((signal) => signal.writtenAt));
        // The same events the other way round, all arriving late (a backlog replayed at `now`).
        const reversed = [...byArrival].reverse().map((signal) => ({ ...signal, writtenAt: now }));
        const expected = closedForm(signals, now, halfLifeMs);
        for (const order of [byArrival, reversed]) {
          const stored = storeAfter(order, halfLifeMs);
          expectClose(scoreAt(stored?.scaledSum ?? 0, new Date(now), halfLifeMs, stored?.epoch ?? SCORE_EPOCH), expected);
        }
      }),
    );
  });

  it('decays monotonically: with only positive signals it never rises as time passes (property)', () => {
    fc.assert(
      fc.property(halfLives, fc.double({ min: 0, max: 1e12, noNaN: true }), fc.integer({ min: 0, max: 10 * 365 }), fc.integer({ min: 0, max: 10 * 365 }), (halfLifeMs, sum, day1, day2) => {
        const [early, late] = [Math.min(day1, day2), Math.max(day1, day2)].map((day) => new Date(SCORE_EPOCH + day * 86_400_000)) as [Date, Date];
        expect(scoreAt(sum, late, halfLifeMs, SCORE_EPOCH)).toBeLessThanOrEqual(scoreAt(sum, early, halfLifeMs, SCORE_EPOCH));
      }),
    );
  });

  it('stays exact (below 2^53) for ten years at the smallest allowed half-life, a million events of weight 1,000 per era', () => {
    const halfLifeMs = MIN_HALF_LIFE_MS;
    let stored: StoredScore | undefined;
    for (let at = SCORE_EPOCH; at <= SCORE_EPOCH + TEN_YEARS; at += 7 * 86_400_000) {
      const era = eraOf(new Date(at), halfLifeMs);
      if (stored && stored.epoch < era) stored = rebasedScore(stored, era, halfLifeMs);
      // The worst a write can carry: the end of its era, a million times over.
      const increment = scaledIncrement(1000, new Date(era + ERA_HALF_LIVES * halfLifeMs - 1), halfLifeMs, era) * 1_000_000;
      stored = { scope: 'contact', id: 'c', epoch: era, scaledSum: (stored?.scaledSum ?? 0) + increment, signals: {}, updatedAt: new Date(at).toISOString(), version: 0 };
      expect(Number.isFinite(stored.scaledSum)).toBe(true);
      expect(stored.scaledSum).toBeLessThan(2 ** 53);
    }
  });

  it('would pass 2^53 without eras: a fixed epoch overflows within two years at 14 days and 53 days at 1 day', () => {
    expect(scaledIncrement(1, new Date(SCORE_EPOCH + 2 * 365 * 86_400_000), 14 * 86_400_000, SCORE_EPOCH)).toBeGreaterThan(2 ** 53 / 1e6);
    expect(scaledIncrement(1, new Date(SCORE_EPOCH + 54 * 86_400_000), 86_400_000, SCORE_EPOCH)).toBeGreaterThan(2 ** 53);
    expect(scaledIncrement(1, new Date(SCORE_EPOCH + 54 * 86_400_000), 86_400_000, eraOf(new Date(SCORE_EPOCH + 54 * 86_400_000), 86_400_000))).toBeLessThan(2 ** ERA_HALF_LIVES);
  });
});
