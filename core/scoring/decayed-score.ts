/**
 * Exponentially decaying scores kept as one number that only grows by atomic adds.
 * An event of weight w at time t adds w * 2^((t - epoch) / halfLife); the score at `now` is
 * that sum * 2^(-(now - epoch) / halfLife). Order of events does not matter, and no write has to
 * read first.
 *
 * The epoch moves in eras of ERA_HALF_LIVES half-lives (a fixed grid from SCORE_EPOCH), so the
 * factor 2^((t - epoch) / halfLife) stays below 2^ERA_HALF_LIVES for events up to now: with a fixed
 * epoch the stored sum passes 2^53 (where doubles stop being exact and the document client
 * refuses numbers) about two years after the epoch at a 14-day half-life, and 53 days after it at
 * one day. A stored score of an older era is rebased once, on its first write in the new era
 * (record-engagement.ts): its sum and signal shares are multiplied by 2^(-(new - old) / halfLife).
 */

/** The grid's origin; every era starts a whole number of eras after it. */
export const SCORE_EPOCH = Date.UTC(2026, 0, 1);

/**
 * Half-lives per era: the largest factor an increment can carry is 2^16 = 65,536, so a weight of
 * 1,000 repeated a million times in one era stays near 2^46, well inside 2^53.
 */
export const ERA_HALF_LIVES = 16;

/** The shortest half-life the config may set (one hour): shorter ones make an era last under a day. */
export const MIN_HALF_LIFE_MS = 3_600_000;

/** The epoch of the era `now` falls in (never before SCORE_EPOCH). */
export function eraOf(now: Date, halfLifeMs: number): number {
  const eraMs = ERA_HALF_LIVES * halfLifeMs;
  return SCORE_EPOCH + Math.max(0, Math.floor((now.getTime() - SCORE_EPOCH) / eraMs)) * eraMs;
}

export function scaledIncrement(weight: number, at: Date, halfLifeMs: number, epoch: number): number {
  return weight * 2 ** ((at.getTime() - epoch) / halfLifeMs);
}

export function scoreAt(scaledSum: number, now: Date, halfLifeMs: number, epoch: number): number {
  return scaledSum * 2 ** (-(now.getTime() - epoch) / halfLifeMs);
}

/** A scaled value against `fromEpoch`, restated against `toEpoch`. */
export function rebaseScaled(scaled: number, fromEpoch: number, toEpoch: number, halfLifeMs: number): number {
  return scaled * 2 ** (-(toEpoch - fromEpoch) / halfLifeMs);
}
