/**
 * What a template can use when it is rendered for one recipient: the contact, their account,
 * their personal links, the render's "now" and, for webinar emails, the webinar. Templates reach
 * these as `{{ contact.firstName }}`, `{{ account.mrr | money }}`, `{{ links.unsubscribe }}`,
 * `{{ contact.attributes.industry }}`, `{{ now | date: 'long' }}`, `{{ webinar.title }}`.
 * A value a template uses but the context lacks fails the render (Liquid strictVariables):
 * a missing name must stop the email, not reach the inbox as "Hello ,".
 *
 * Optional CRM fields (role, CSM owner) and declared custom attributes are always present, as
 * null when the CRM has no value: a template may then write `{{ contact.role | default: '…' }}`
 * (with strictVariables, `default` never sees an absent field: the lookup fails first), while a
 * misspelt field or an undeclared attribute still fails the render.
 */
import { z } from 'zod';
import type { Attributes } from '../config/schema/attributes.ts';
import { emailSchema, localeSchema, phaseSchema, tierSchema, timeZoneSchema, type Locale } from '../config/schema/common.ts';
import type { SenderIdentity } from '../config/schema/settings.ts';
import type { Account } from '../customers/account.ts';
import type { Contact } from '../customers/contact.ts';

/** Links go into href attributes: only web links, never javascript: or data: URLs. */
const webLinkSchema = z.url({ protocol: /^https?$/, error: (issue) => `expected an http(s) URL, got '${String(issue.input)}'` });

/** Declared attribute id to its value, null when the CRM sent none. */
const attributeValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const renderContextSchema = z.strictObject({
  /** ISO-8601 UTC: the sender's clock at render time; `'now' | date` shows this, never the server's clock. */
  now: z.iso.datetime(),
  contact: z.strictObject({
    firstName: z.string(),
    lastName: z.string(),
    email: emailSchema,
    locale: localeSchema,
    /** IANA zone: `date` shows times in it. */
    timeZone: timeZoneSchema,
    role: z.string().nullable(),
    attributes: attributeValuesSchema,
  }),
  account: z.strictObject({
    name: z.string(),
    plan: z.string(),
    tier: tierSchema,
    phase: phaseSchema,
    /** Product ids (campaigns/products.yaml), e.g. `{% if account.products contains 'analytics' %}`. */
    products: z.array(z.string()),
    /** The CSM's id in the CRM, null for accounts without a named CSM. */
    csmOwner: z.string().nullable(),
    /** Monthly recurring revenue in `currency` (major units): `{{ account.mrr | money }}`. */
    mrr: z.number(),
    currency: z.string(),
    attributes: attributeValuesSchema,
  }),
  /** Who sends it, in the email's language (senders config): every bulk email's footer shows the organization and postal address. */
  sender: z.strictObject({
    /** The From display name, e.g. Example Customer Success. */
    name: z.string(),
    /** The legal name, e.g. Example K.K. */
    organization: z.string(),
    postalAddress: z.string(),
  }),
  links: z.strictObject({
    /** The recipient's unsubscribe link; it also goes into the List-Unsubscribe header (RFC 8058). */
    unsubscribe: webLinkSchema,
    preferences: webLinkSchema,
  }),
  webinar: z
    .strictObject({
      title: z.string(),
      /** Start (and end) already formatted in the contact's language and time zone, e.g. 2026年12月10日(木) 14:00〜15:00 (日本標準時). */
      startsAtLocal: z.string(),
      /** Reminders: how soon it starts, in words (24 時間後 / in 24 hours), from the policy's offset. */
      startsIn: z.string().optional(),
      /** Online sessions: where to join (absent for in-person events and in invitations). */
      joinUrl: webLinkSchema.optional(),
      /** In-person events: the venue's name and address. */
      venue: z.string().optional(),
      /** The session as an .ics file (add to calendar); moves with a reschedule. */
      calendarUrl: webLinkSchema.optional(),
      /** Invitations: the recipient's one-click registration link. */
      registerUrl: webLinkSchema.optional(),
      /** Only once the recording is published (follow-ups); absent in confirmations and reminders. */
      recordingUrl: webLinkSchema.optional(),
      surveyUrl: webLinkSchema.optional(),
      /** Follow-ups: minutes the recipient watched. */
      watchedMinutes: z.number().optional(),
    })
    .optional(),
  /** Emails that ask a survey (`survey: <id>`): the question and the recipient's signed one-click answers, 0 to 10. */
  survey: z
    .strictObject({
      id: z.string(),
      /** The survey's question in the email's language. */
      question: z.string(),
      /** `{{ survey.answerUrls[8] }}` answers 8. */
      answerUrls: z.array(webLinkSchema).length(11),
      /** The same links as `{% for answer in survey.answers %}{{ answer.score }} {{ answer.url }}{% endfor %}`. */
      answers: z.array(z.strictObject({ score: z.number().int().min(0).max(10), url: webLinkSchema })).length(11),
    })
    .optional(),
});

export type RenderContext = z.infer<typeof renderContextSchema>;
export type WebinarRenderContext = NonNullable<RenderContext['webinar']>;
export type SurveyRenderContext = NonNullable<RenderContext['survey']>;

export type RenderLinks = RenderContext['links'];
export type SenderInContext = RenderContext['sender'];

/** The sender identity's name, organization and address in `locale` (validate makes sure each locale has them). */
export function senderContextOf(identity: SenderIdentity, locale: Locale): SenderInContext {
  return {
    name: identity.displayName[locale] ?? identity.email,
    organization: identity.organization[locale] ?? '',
    postalAddress: identity.postalAddress[locale] ?? '',
  };
}

/** What a recipient's context is built from. */
export interface RecipientData {
  contact: Contact;
  account: Account;
  links: RenderLinks;
  /** The sending identity in the email's language (senderContextOf). */
  sender: SenderInContext;
  /** From the caller's Clock. */
  now: Date;
  /** The declared custom attributes: each one is in the context, null when the CRM has no value. */
  attributes: Pick<Attributes, 'contact' | 'account'>;
  webinar?: WebinarRenderContext;
  survey?: SurveyRenderContext;
}

/** The render context of one recipient, from the stored contact and account: the one place that maps them. */
export function renderContextOf(data: RecipientData): RenderContext {
  const { contact, account } = data;
  return {
    now: data.now.toISOString(),
    contact: {
      firstName: contact.firstName,
      lastName: contact.lastName,
      email: contact.email,
      locale: contact.locale,
      timeZone: contact.timeZone,
      role: contact.role ?? null,
      attributes: declaredValues(data.attributes.contact, contact.attributes),
    },
    account: {
      name: account.name,
      plan: account.plan,
      tier: account.tier,
      phase: account.phase,
      products: [...account.products],
      csmOwner: account.csmOwner ?? null,
      mrr: account.mrr,
      currency: account.currency,
      attributes: declaredValues(data.attributes.account, account.attributes),
    },
    sender: data.sender,
    links: data.links,
    ...(data.webinar ? { webinar: data.webinar } : {}),
    ...(data.survey ? { survey: data.survey } : {}),
  };
}

/** Every declared attribute, null when absent; a stored value of an attribute no longer declared is left out. */
function declaredValues(declared: ReadonlyArray<{ id: string }>, stored: Readonly<Record<string, string | number | boolean>> | undefined): Record<string, string | number | boolean | null> {
  return Object.fromEntries(declared.map(({ id }) => [id, stored?.[id] ?? null]));
}
