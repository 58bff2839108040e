/**
 * An account: a B2B customer company, with what customer success segments it by
 * (tier, plan, products owned, lifecycle phase, monthly recurring revenue, custom attributes).
 */
import { z } from 'zod';
import { attributeIdSchema, phaseSchema, tierSchema } from '../config/schema/common.ts';

export const externalIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, { error: (issue) => `expected an id of letters, digits, . _ : - (max 64), got '${String(issue.input)}'` });

/**
 * Custom attribute values by attribute id (campaigns/attributes.yaml). Here only their shape: the
 * import checks them against the declared types (custom-attributes.ts). Absent when there are
 * none, so a customer without attributes is stored exactly as before attributes existed.
 */
export const customAttributesSchema = z.record(attributeIdSchema, z.union([z.string(), z.number(), z.boolean()]));

export const accountSchema = z.strictObject({
  accountId: externalIdSchema,
  name: z.string().trim().min(1, { error: 'name must not be empty' }).max(200),
  tier: tierSchema,
  plan: z.string().trim().min(1, { error: 'plan must not be empty' }),
  products: z.array(z.string().trim().min(1)).default([]),
  phase: phaseSchema,
  /** Monthly recurring revenue in `currency` (major units). */
  mrr: z.number({ error: (issue) => `expected a number, got '${String(issue.input)}'` }).min(0, { error: 'mrr must be 0 or more' }),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: (issue) => `expected an ISO 4217 currency like JPY, got '${String(issue.input)}'` }),
  /** The named CSM for high-touch accounts (an id in the CRM, not an email). */
  csmOwner: z.string().trim().min(1).optional(),
  attributes: customAttributesSchema.optional(),
});

export type Account = z.infer<typeof accountSchema>;
