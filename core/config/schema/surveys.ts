/**
 * The `survey` config kind: an NPS question the team asks by email. A campaign or sequence step
 * names it (`survey: <id>`), and its template gets the recipient's eleven one-click answer links.
 * The survey itself sends nothing: it holds the question, whether a comment may be added, and
 * when answers stop being taken.
 */
import { z } from 'zod';
import { idSchema, LOCALES } from './common.ts';

/** The question and comment prompt must exist in every language the engine writes pages in. */
const bothLocalesSchema = z.strictObject(
  Object.fromEntries(LOCALES.map((locale) => [locale, z.string({ error: `missing ${locale} text: survey pages are shown in ${LOCALES.join(' and ')}` }).min(1, { error: `empty ${locale} text` })])) as Record<(typeof LOCALES)[number], z.ZodString>,
);

export const surveySchema = z
  .strictObject({
    kind: z.literal('survey'),
    id: idSchema,
    name: z.string().min(1).optional().describe('what the team calls it in reports, e.g. NPS 2026 H2'),
    type: z.literal('nps', { error: (issue) => `expected type 'nps' (0-10 likelihood to recommend), got '${String(issue.input)}'` }).describe('nps: a 0-10 answer; promoters 9-10, passives 7-8, detractors 0-6'),
    question: bothLocalesSchema.describe('the question shown on the answer page, in ja and en'),
    comment: z
      .strictObject({
        enabled: z.boolean().default(true),
        prompt: bothLocalesSchema.optional().describe('the label of the comment box, in ja and en (a default is used without it)'),
      })
      .default({ enabled: true })
      .describe('whether the answer page offers an optional comment (added or changed later with the same link)'),
    closesAt: z.iso
      .datetime({ offset: true, error: (issue) => `expected an ISO-8601 time with an offset like 2026-12-31T23:59:59+09:00, got '${String(issue.input)}'` })
      .optional()
      .describe('after this instant answer links show "closed" and save nothing'),
  })
  .describe('An NPS survey: one-click 0-10 answers from an email, an optional comment, answers per contact');

export type SurveyConfig = z.infer<typeof surveySchema>;
