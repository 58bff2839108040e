/** A CSQL promotion: the audit record of an account handed to customer sales, with why. */
import { z } from 'zod';

export const csqlPromotionSchema = z.strictObject({
  accountId: z.string().min(1),
  promotedAt: z.iso.datetime(),
  ruleId: z.string().min(1),
  accountScore: z.number(),
  health: z.number().min(0).max(100),
  topSignals: z.array(z.strictObject({ signal: z.string(), contribution: z.number() })),
});

export type CsqlPromotion = z.infer<typeof csqlPromotionSchema>;
