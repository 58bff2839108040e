/**
 * Building blocks shared by every config kind: ids, locales, durations, times of day,
 * IANA zones and the audience segment. Each validator's message says what was expected
 * and what was found, because the people reading it are editing YAML, not TypeScript.
 */
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../duration.ts';
import { isCalendarDate, isIanaTimeZone, parseTimeOfDay } from '../local-time.ts';

export const LOCALES = ['ja', 'en'] as const;
export const TIERS = ['tier1', 'tier2', 'tier3'] as const;
export const PHASES = ['onboarding', 'adoption', 'nurturing', 'opportunity'] as const;

export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'expected an id of lowercase letters, digits and dashes (e.g. monthly-newsletter)' });

/**
 * A custom attribute's id (attributes.ts). snake_case, because it is used as is in Liquid
 * (`{{ contact.attributes.renewal_date }}`, where a dash would read as minus) and after `attr_`
 * in CSV column names.
 */
export const attributeIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, {
    error: (issue) => `expected an attribute id of lowercase letters, digits and _ starting with a letter (e.g. industry, renewal_date), got '${String(issue.input)}'`,
  });

export const localeSchema = z.enum(LOCALES, { error: (issue) => `expected a locale (${LOCALES.join(', ')}), got '${String(issue.input)}'` });
export const tierSchema = z.enum(TIERS, { error: (issue) => `expected a tier (${TIERS.join(', ')}), got '${String(issue.input)}'` });
export const phaseSchema = z.enum(PHASES, { error: (issue) => `expected a phase (${PHASES.join(', ')}), got '${String(issue.input)}'` });

export const durationSchema = z.string().refine((text) => parseDuration(text) !== undefined, {
  error: (issue) => `${DURATION_HINT}, got '${String(issue.input)}'`,
});

export const timeOfDaySchema = z.string().refine((text) => parseTimeOfDay(text) !== undefined, {
  error: (issue) => `expected a 24-hour time like 09:30, got '${String(issue.input)}'`,
});

export const timeZoneSchema = z.string().refine(isIanaTimeZone, {
  error: (issue) => `expected an IANA time zone like Asia/Tokyo, got '${String(issue.input)}'`,
});

export const calendarDateSchema = z.string().refine(isCalendarDate, {
  error: (issue) => `expected a date like 2026-12-31, got '${String(issue.input)}'`,
});

export const emailSchema = z.email({ error: (issue) => `expected an email address, got '${String(issue.input)}'` });

/** A non-negative weight: the scoring model adds them, so a negative one would silently invert a signal. */
export const weightSchema = z
  .number({ error: (issue) => `expected a number, got '${String(issue.input)}'` })
  .min(0, { error: (issue) => `weights must be 0 or more, got ${String(issue.input)}` });

export const localizedTextSchema = z.partialRecord(localeSchema, z.string().min(1));

/**
 * Attribute id to the values that select a recipient (any of them); a recipient without a value
 * for the attribute is not selected. Values are checked against the declared type by the config
 * builder, which knows the declarations.
 */
const attributeFilterSchema = z.record(attributeIdSchema, z.array(z.union([z.string().min(1), z.number(), z.boolean()])).min(1, { error: 'list at least one value' }));

/** Who receives a campaign. Every list narrows the audience; an absent list does not. */
export const audienceSchema = z
  .strictObject({
    tiers: z.array(tierSchema).min(1).optional(),
    phases: z.array(phaseSchema).min(1).optional(),
    plans: z.array(z.string().min(1)).min(1).optional(),
    productsOwned: z.array(z.string().min(1)).min(1).optional(),
    productsNotOwned: z.array(z.string().min(1)).min(1).optional(),
    locales: z.array(localeSchema).min(1).optional(),
    engagementBands: z.array(idSchema).min(1).optional(),
    /** Contact attributes (attributes.yaml): each named attribute must have one of the listed values. */
    attributes: attributeFilterSchema.optional(),
    /** Account attributes, likewise. */
    accountAttributes: attributeFilterSchema.optional(),
    include: z.array(z.string().min(1)).optional(),
    exclude: z.array(z.string().min(1)).optional(),
  })
  .describe('Segment: tier, phase, plan, products owned / not owned, locale, engagement band, contact and account attributes, explicit include/exclude contact ids');

/** The locales a message is written in, and the one used for contacts whose locale is not among them. */
export const contentLocalesShape = {
  locales: z.array(localeSchema).min(1, { error: 'list at least one locale the content is written in' }),
  fallbackLocale: localeSchema,
};

export type Locale = z.infer<typeof localeSchema>;
export type Tier = z.infer<typeof tierSchema>;
export type Phase = z.infer<typeof phaseSchema>;
export type Audience = z.infer<typeof audienceSchema>;
