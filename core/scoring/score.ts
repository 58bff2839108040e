/** A stored score record: the scaled sum plus the scaled contribution of each signal, for explanations. */
import { z } from 'zod';

export const SCORE_SCOPES = ['contact', 'account'] as const;
export type ScoreScope = (typeof SCORE_SCOPES)[number];

export const storedScoreSchema = z.strictObject({
  scope: z.enum(SCORE_SCOPES),
  id: z.string().min(1),
  scaledSum: z.number(),
  /** signal name -> scaled contribution (same scale as scaledSum). */
  signals: z.record(z.string(), z.number()),
  updatedAt: z.iso.datetime(),
});

export type StoredScore = z.infer<typeof storedScoreSchema>;
