/**
 * Exponentially decaying scores kept as one number that only ever grows by atomic adds.
 * An event of weight w at time t adds w * 2^((t - epoch) / halfLife); the score at `now` is
 * that sum * 2^(-(now - epoch) / halfLife). Order of events does not matter, and no write
 * has to read first. The epoch is fixed; rebasing (rarely needed: 2^x stays in range for
 * decades at a 14-day half-life) would rewrite the sum against a later epoch.
 */

/** Fixed epoch every stored score is scaled against. */
export const SCORE_EPOCH = Date.UTC(2026, 0, 1);

export function scaledIncrement(weight: number, at: Date, halfLifeMs: number, epoch: number = SCORE_EPOCH): number {
  return weight * 2 ** ((at.getTime() - epoch) / halfLifeMs);
}

export function scoreAt(scaledSum: number, now: Date, halfLifeMs: number, epoch: number = SCORE_EPOCH): number {
  return scaledSum * 2 ** (-(now.getTime() - epoch) / halfLifeMs);
}
