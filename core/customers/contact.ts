/**
 * A contact: a person at a customer account whom the engine may email, with the locale and
 * time zone that decide language and send window, the consent that decides whether at all, and
 * the custom attributes the team declared.
 */
import { z } from 'zod';
import { emailSchema, idSchema, localeSchema, timeZoneSchema } from '../config/schema/common.ts';
import { customAttributesSchema, externalIdSchema } from './account.ts';

export const CONSENT_STATES = ['granted', 'withdrawn', 'unknown'] as const;

export const contactSchema = z.strictObject({
  contactId: externalIdSchema,
  accountId: externalIdSchema,
  /** Stored lower-cased so suppression and de-duplication compare like with like. */
  email: emailSchema.transform((email) => email.toLowerCase()),
  firstName: z.string().trim().max(100).default(''),
  lastName: z.string().trim().max(100).default(''),
  locale: localeSchema,
  timeZone: timeZoneSchema,
  consent: z.enum(CONSENT_STATES, { error: (issue) => `expected consent ${CONSENT_STATES.join(', ')}, got '${String(issue.input)}'` }),
  /** ISO-8601 UTC time consent was last given or withdrawn. */
  consentAt: z.iso.datetime({ error: (issue) => `expected an ISO-8601 UTC time like 2026-04-01T00:00:00Z, got '${String(issue.input)}'` }).optional(),
  /**
   * Topics this contact opted out of. Engine-owned as stored (the preference centre decides);
   * in an import it is what the CRM reports, which only adds opt-outs (docs/data-model.md).
   */
  topicsOptedOut: z
    .array(idSchema)
    .default([])
    .transform((topics) => [...new Set(topics)]),
  role: z.string().trim().max(100).optional(),
  /** Custom attribute values (campaigns/attributes.yaml), CRM-owned like the rest of the profile. */
  attributes: customAttributesSchema.optional(),
});

export type Contact = z.infer<typeof contactSchema>;
export type ContactInput = z.input<typeof contactSchema>;
