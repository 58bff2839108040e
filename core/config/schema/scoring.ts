/**
 * Scoring weights with their half-life, the DEAR health model, engagement bands,
 * and the rules that promote an account to CSQL.
 */
import { z } from 'zod';
import { durationSchema, idSchema, phaseSchema, tierSchema, weightSchema } from './common.ts';

export const scoringSchema = z
  .strictObject({
    kind: z.literal('scoring'),
    halfLife: durationSchema.describe('an event counts half as much after this long'),
    weights: z.strictObject({
      delivered: weightSchema.default(0),
      open: weightSchema,
      click: weightSchema,
      webinarRegistered: weightSchema,
      webinarAttended: weightSchema,
      webinarWatchMinute: weightSchema.default(0),
      productUsage: weightSchema.default(0),
    }),
    bands: z
      .array(z.strictObject({ id: idSchema, minScore: weightSchema }))
      .min(1)
      .describe('Engagement bands by minimum contact score, e.g. cold 0, warm 5, hot 20'),
    account: z.strictObject({
      breadthWeight: weightSchema.describe('added per distinct engaged contact'),
      engagedContactMinScore: weightSchema,
    }),
    health: z
      .strictObject({
        deployment: weightSchema,
        engagement: weightSchema,
        adoption: weightSchema,
        roi: weightSchema,
      })
      .describe('DEAR: relative weight of each dimension in the 0-100 health score'),
  })
  .describe('Engagement scoring with exponential decay, and the DEAR health score');

export const csqlRulesSchema = z
  .strictObject({
    kind: z.literal('csql-rules'),
    cooldown: durationSchema.describe('an account is not promoted again within this time'),
    demoteBelowScore: weightSchema.describe('hysteresis: a promoted account re-qualifies only after dropping below this'),
    explainTopSignals: z.number().int().min(1).max(10).default(3),
    rules: z
      .array(
        z.strictObject({
          id: idSchema,
          description: z.string().min(1),
          tiers: z.array(tierSchema).min(1).optional(),
          phases: z.array(phaseSchema).min(1).optional(),
          minAccountScore: weightSchema.optional(),
          minHealth: z.number().min(0).max(100).optional(),
          minEngagedContacts: z.number().int().min(0).optional(),
          minWebinarAttendances: z.number().int().min(0).optional(),
          productsNotOwned: z.array(z.string().min(1)).min(1).optional(),
        }),
      )
      .min(1, { error: 'declare at least one CSQL rule' }),
  })
  .describe('When an account becomes a Customer Success Qualified Lead');

export type Scoring = z.infer<typeof scoringSchema>;
export type CsqlRules = z.infer<typeof csqlRulesSchema>;
