/**
 * What a template can use when it is rendered for one recipient: the contact, their account,
 * their personal links and, for webinar emails, the webinar. Templates reach these as
 * `{{ contact.firstName }}`, `{{ account.name }}`, `{{ links.unsubscribe }}`, `{{ webinar.title }}`.
 * A value a template uses but the context lacks fails the render (Liquid strictVariables):
 * a missing name must stop the email, not reach the inbox as "Hello ,".
 */
import { z } from 'zod';
import { emailSchema, localeSchema } from '../config/schema/common.ts';

/** Links go into href attributes: only web links, never javascript: or data: URLs. */
const webLinkSchema = z.url({ protocol: /^https?$/, error: (issue) => `expected an http(s) URL, got '${String(issue.input)}'` });

export const renderContextSchema = z.strictObject({
  contact: z.strictObject({
    firstName: z.string(),
    lastName: z.string(),
    email: emailSchema,
    locale: localeSchema,
  }),
  account: z.strictObject({
    name: z.string(),
    plan: z.string(),
  }),
  links: z.strictObject({
    /** The recipient's unsubscribe link; it also goes into the List-Unsubscribe header (RFC 8058). */
    unsubscribe: webLinkSchema,
    preferences: webLinkSchema,
  }),
  webinar: z
    .strictObject({
      title: z.string(),
      /** Start time already formatted in the contact's language and time zone, e.g. 2026年12月10日(木) 14:00. */
      startsAtLocal: z.string(),
      joinUrl: webLinkSchema,
      /** Only once the recording is published (follow-ups); absent in confirmations and reminders. */
      recordingUrl: webLinkSchema.optional(),
      surveyUrl: webLinkSchema.optional(),
    })
    .optional(),
});

export type RenderContext = z.infer<typeof renderContextSchema>;
export type WebinarRenderContext = NonNullable<RenderContext['webinar']>;
