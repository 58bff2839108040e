/** A stored score record: the scaled sum plus the scaled contribution of each signal, for explanations. */
import { z } from 'zod';
import { rebaseScaled, SCORE_EPOCH } from './decayed-score.ts';

export const SCORE_SCOPES = ['contact', 'account'] as const;
export type ScoreScope = (typeof SCORE_SCOPES)[number];

export const storedScoreSchema = z.strictObject({
  scope: z.enum(SCORE_SCOPES),
  id: z.string().min(1),
  /** Epoch milliseconds the scaled values are stated against (decayed-score.ts); older items lack it. */
  epoch: z.number().default(SCORE_EPOCH),
  scaledSum: z.number(),
  /** signal name -> scaled contribution (same scale as scaledSum). */
  signals: z.record(z.string(), z.number()),
  updatedAt: z.iso.datetime(),
  /** Moves with every write: a rebase replaces the score only if nothing moved it since it was read. */
  version: z.number().int().min(0).default(0),
});

export type StoredScore = z.infer<typeof storedScoreSchema>;

/** One score move of an event: a signed weight at the event's time, stated against `epoch`. */
export interface ScoreUpdate {
  scope: ScoreScope;
  id: string;
  signal: string;
  /** weight * 2^((occurredAt - epoch) / halfLife); negative for negative signals. */
  scaled: number;
  epoch: number;
}

/** The same score against a later epoch (rebasing, see decayed-score.ts). */
export function rebasedScore(stored: StoredScore, toEpoch: number, halfLifeMs: number): StoredScore {
  return {
    ...stored,
    epoch: toEpoch,
    scaledSum: rebaseScaled(stored.scaledSum, stored.epoch, toEpoch, halfLifeMs),
    signals: Object.fromEntries(Object.entries(stored.signals).map(([signal, scaled]) => [signal, rebaseScaled(scaled, stored.epoch, toEpoch, halfLifeMs)])),
  };
}
