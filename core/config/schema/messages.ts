/**
 * The config kinds that send email: scheduled campaigns (newsletters and one-off sends),
 * nurture sequences, and the webinar follow-up policy.
 */
import { z } from 'zod';
import { checkCron } from '../cron.ts';
import { parseLocalDateTime } from '../local-date-time.ts';
import {
  audienceSchema,
  contentLocalesShape,
  durationSchema,
  idSchema,
  phaseSchema,
  timeOfDaySchema,
  timeZoneSchema,
} from './common.ts';

export const scheduleSchema = z
  .strictObject({
    cron: z.string().min(1).optional().describe('5-field cron: minute hour day-of-month month day-of-week, e.g. "0 10 * * TUE"'),
    at: z
      .string()
      .refine((text) => parseLocalDateTime(text) !== undefined, {
        error: (issue) => `expected a local date and time like 2026-12-01T10:00, got '${String(issue.input)}'`,
      })
      .optional()
      .describe('One-off send: local date and time in `timezone`, e.g. 2026-12-01T10:00'),
    timezone: timeZoneSchema,
  })
  .superRefine((schedule, ctx) => {
    if ((schedule.cron === undefined) === (schedule.at === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set either cron (recurring) or at (one-off), not both or neither' });
      return;
    }
    if (schedule.cron !== undefined) {
      const check = checkCron(schedule.cron, schedule.timezone);
      if (!check.ok) ctx.addIssue({ code: 'custom', path: ['cron'], message: check.reason });
    }
  });

export const campaignSchema = z
  .strictObject({
    kind: z.literal('campaign'),
    id: idSchema,
    name: z.string().min(1),
    status: z.enum(['active', 'paused', 'draft']).default('active'),
    sender: idSchema.describe('id of a sender identity in the senders file'),
    template: idSchema.describe('folder name under templates/'),
    topic: idSchema.describe('id of a topic in the topics file; contacts can opt out per topic'),
    ...contentLocalesShape,
    schedule: scheduleSchema,
    audience: audienceSchema,
    invites: idSchema.optional().describe('id of a webinar this email invites to: {{ webinar.registerUrl }} is then each recipient\'s one-click registration link'),
    survey: idSchema.optional().describe('id of a survey this email asks (kind: survey): {{ survey.answerUrls[0] }} .. [10] and {% for answer in survey.answers %} are then the recipient\'s signed one-click answers'),
  })
  .describe('A newsletter on a cron schedule or a one-off send to a segment');

const stepConditionSchema = z
  .strictObject({
    opened: idSchema.optional().describe('send only if the email of this earlier step was opened'),
    notOpened: idSchema.optional(),
    clicked: idSchema.optional(),
    notClicked: idSchema.optional(),
    attendedWebinar: z.boolean().optional().describe('send only if the contact attended (true) / did not attend (false) a webinar since enrolling'),
  })
  .refine((condition) => Object.values(condition).filter((value) => value !== undefined).length === 1, {
    error: 'set exactly one of opened, notOpened, clicked, notClicked, attendedWebinar',
  });

export const sequenceStepSchema = z.strictObject({
  id: idSchema,
  wait: durationSchema.describe('time after the previous step (or enrollment) before this step is due'),
  template: idSchema,
  when: stepConditionSchema.optional(),
  invites: idSchema.optional().describe('id of a webinar this step invites to ({{ webinar.registerUrl }})'),
  survey: idSchema.optional().describe('id of a survey this step asks ({{ survey.answerUrls[n] }}, {% for answer in survey.answers %})'),
});

export const sequenceSchema = z
  .strictObject({
    kind: z.literal('sequence'),
    id: idSchema,
    name: z.string().min(1),
    status: z.enum(['active', 'paused', 'draft']).default('active'),
    sender: idSchema,
    topic: idSchema,
    ...contentLocalesShape,
    enrollment: z.strictObject({
      phaseEntered: phaseSchema.optional().describe('enroll contacts whose account enters this phase'),
      audience: audienceSchema.optional().describe('only contacts in this segment are enrolled'),
      reenroll: z.boolean().default(false),
    }),
    exitOn: z.array(z.enum(['unsubscribed', 'csql', 'phase-changed'])).default(['unsubscribed', 'csql']),
    steps: z.array(sequenceStepSchema).min(1, { error: 'a sequence needs at least one step' }),
  })
  .describe('A nurture drip: steps with waits and conditions on opened / clicked / attended');

const templateRefSchema = z.strictObject({ template: idSchema });

export const webinarPolicySchema = z
  .strictObject({
    kind: z.literal('webinar-policy'),
    id: idSchema,
    sender: idSchema,
    topic: idSchema,
    ...contentLocalesShape,
    confirmation: templateRefSchema,
    reminders: z.array(z.strictObject({ before: durationSchema, template: idSchema })),
    rescheduled: templateRefSchema.optional().describe('sent to registrants when a session moves (with the new time and calendar file)'),
    cancellation: templateRefSchema.describe('sent to registrants when a session is cancelled'),
    followUps: z.strictObject({
      delay: durationSchema.describe('how long after the webinar ends follow-ups go out'),
      latestLocalTime: timeOfDaySchema.describe('if the delay lands after this local time, send early the next business day instead'),
      nextBusinessDayAt: timeOfDaySchema,
      attendedMinutes: z.number().int().min(1).default(10).describe('watch minutes that make a registrant an attendee'),
      surveyUrl: z.url().optional(),
      attendees: templateRefSchema,
      noShows: templateRefSchema,
      variants: z
        .array(
          z
            .strictObject({
              id: idSchema,
              maxWatchShare: z.number().gt(0).lt(1).optional().describe('attendees who watched at most this share of the session (left early)'),
              minJoinDelay: durationSchema.optional().describe('attendees who joined at least this long after the start (joined late)'),
              template: idSchema,
            })
            .refine((variant) => (variant.maxWatchShare === undefined) !== (variant.minJoinDelay === undefined), { error: 'set exactly one of maxWatchShare, minJoinDelay' }),
        )
        .default([])
        .describe('attendee follow-ups by watch share, first match wins; other attendees get `attendees`'),
    }),
  })
  .describe('How webinar registrants are confirmed, reminded and followed up');

export type Campaign = z.infer<typeof campaignSchema>;
export type Sequence = z.infer<typeof sequenceSchema>;
export type SequenceStep = z.infer<typeof sequenceStepSchema>;
export type WebinarPolicy = z.infer<typeof webinarPolicySchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
