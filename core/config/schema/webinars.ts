/**
 * The `webinar` config kind: a webinar (or an in-person event customer success runs) with its
 * sessions, what it is about, and the follow-up policy that confirms, reminds and follows up its
 * registrants. A session is online (a platform id such as the Zoom webinar id, and a join URL) or
 * in person (a venue); times are local to the session's IANA zone, as the team writes them.
 */
import { z } from 'zod';
import { parseLocalDateTime } from '../local-date-time.ts';
import { durationSchema, idSchema, localizedTextSchema, timeZoneSchema } from './common.ts';

const localStartSchema = z.string().refine((text) => parseLocalDateTime(text) !== undefined, {
  error: (issue) => `expected a local date and time like 2026-12-10T14:00, got '${String(issue.input)}'`,
});

/** Zoom shows ids as "812 3456 7890"; the webhooks send digits only. */
const zoomWebinarIdSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).replace(/[\s-]/gu, ''))
  .refine((digits) => /^\d{9,12}$/u.test(digits), { error: (issue) => `expected a Zoom webinar id of 9 to 12 digits (e.g. "812 3456 7890"), got '${String(issue.input)}'` });

export const webinarSessionSchema = z
  .strictObject({
    id: idSchema,
    startsAt: localStartSchema.describe('local start in `timezone`, e.g. 2026-12-10T14:00'),
    timezone: timeZoneSchema,
    duration: durationSchema.describe('scheduled length, e.g. 60m'),
    zoomWebinarId: zoomWebinarIdSchema.optional().describe('the Zoom webinar id: its webhooks and reports are matched to this session'),
    joinUrl: z.url().optional().describe('where registrants join (online sessions)'),
    venue: z
      .strictObject({ name: localizedTextSchema, address: localizedTextSchema })
      .optional()
      .describe('in-person events: where it takes place (instead of a platform and join URL)'),
    recordingUrl: z.url().optional(),
    surveyUrl: z.url().optional().describe("overrides the policy's survey URL"),
  })
  .superRefine((session, ctx) => {
    if (session.venue === undefined && session.joinUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['joinUrl'], message: 'an online session needs a joinUrl (or give a venue for an in-person event)' });
    }
    if (session.venue !== undefined && session.zoomWebinarId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['zoomWebinarId'], message: 'an in-person session (venue) has no Zoom webinar id: attendance comes by CSV' });
    }
  });

export const webinarSchema = z
  .strictObject({
    kind: z.literal('webinar'),
    id: idSchema,
    title: localizedTextSchema.describe('title per locale'),
    description: localizedTextSchema.optional(),
    series: idSchema.optional().describe('webinars of one series share this id (reports group by it)'),
    product: idSchema.optional().describe('the product it is about (a products file id): attending it is an expansion signal'),
    policy: idSchema.describe('id of the webinar-policy that confirms, reminds and follows up'),
    registration: z
      .strictObject({
        question: localizedTextSchema.optional().describe('an optional question shown after one-click registration, e.g. what would you like to learn?'),
      })
      .default({}),
    sessions: z.array(webinarSessionSchema).min(1, { error: 'a webinar needs at least one session' }),
  })
  .describe('A webinar or in-person event: sessions, product, follow-up policy');

export type WebinarConfig = z.infer<typeof webinarSchema>;
export type WebinarSessionConfig = z.infer<typeof webinarSessionSchema>;
