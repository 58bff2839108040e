/**
 * What a webinar email is at the moment it is sent: whether it still makes sense (a reminder of
 * an old schedule, of a cancelled session or after the start does not), which template it uses
 * (a follow-up's depends on how the registrant attended), and the webinar part of its render
 * context in the recipient's language and time zone, with their personal calendar, registration
 * and survey links. Read at send time, not when planned: the platform may have moved the session
 * or reported attendance since.
 */
import { parseDuration } from '../config/duration.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Locale } from '../config/schema/common.ts';
import type { Contact } from '../customers/contact.ts';
import type { WebinarStore } from '../ports.ts';
import type { WebinarRenderContext } from '../rendering/render-context.ts';
import { messageDefinition, type MessageDefinition } from '../sending/message-definition.ts';
import { signToken } from '../tracking/link-token.ts';
import { findSession, initialSessionState, sessionsOf, type ConfiguredSession } from './webinar-catalog.ts';
import type { WebinarSource } from './webinar-source.ts';
import type { Registrant, SessionState } from './webinar.ts';

export interface WebinarLinks {
  baseUrl: string;
  tokenSecret: string;
}

export interface WebinarEmail {
  definition: MessageDefinition;
  /** The webinar render context in the email's locale (chosen by the compiler). */
  contextFor(locale: Locale): WebinarRenderContext;
  /** Links the click tracker leaves alone (they are tracked by their own routes). */
  untrackedFor(locale: Locale): string[];
  /** Extra SES tags: the webinar and its session. */
  tags: Record<string, string>;
}

export type WebinarEmailDecision = { skip: string; detail?: string } | { email: WebinarEmail };

export interface WebinarEmailDeps {
  config: EngineConfig;
  webinars: Pick<WebinarStore, 'getSession' | 'getRegistrant'>;
  links: WebinarLinks;
}

export async function prepareWebinarEmail(source: WebinarSource, contact: Contact, now: Date, deps: WebinarEmailDeps): Promise<WebinarEmailDecision> {
  const configured = findSession(deps.config, source.webinarId, source.sessionId);
  if (!configured) return { skip: 'webinar-not-configured', detail: `${source.webinarId}/${source.sessionId}` };
  const [stored, registrant] = await Promise.all([
    deps.webinars.getSession(source.webinarId, source.sessionId),
    deps.webinars.getRegistrant(source.webinarId, source.sessionId, contact.email),
  ]);
  const state = stored ?? initialSessionState(configured);
  if (!registrant) return { skip: 'not-registered' };
  const stale = staleReason(source, state, now);
  if (stale) return { skip: stale };
  const template = source.message === 'follow-up' ? followUpTemplate(configured, state, registrant) : undefined;
  const definition = messageDefinition(deps.config, source, template);
  const ended = source.message === 'follow-up';
  return {
    email: {
      definition,
      contextFor: (locale) => ({
        ...sessionContext(configured, state, contact, locale, deps.links),
        ...(source.message === 'reminder' && source.reminder ? { startsIn: startsInWords(source.reminder, locale) } : {}),
        ...(ended && configured.session.recordingUrl ? { recordingUrl: configured.session.recordingUrl } : {}),
        ...(ended && surveyUrlOf(configured) ? { surveyUrl: personalLink('survey', configured, contact, deps.links) } : {}),
        ...(ended && registrant.watchSeconds !== undefined ? { watchedMinutes: Math.round(registrant.watchSeconds / 60) } : {}),
      }),
      untrackedFor: () => [personalLink('calendar', configured, contact, deps.links), ...(ended ? [personalLink('survey', configured, contact, deps.links)] : [])],
      tags: { webinar: source.webinarId, session: source.sessionId },
    },
  };
}

/** Why an email planned earlier no longer makes sense, if it does not. */
function staleReason(source: WebinarSource, state: SessionState, now: Date): string | undefined {
  if (source.message === 'cancellation') return state.status === 'cancelled' ? undefined : 'webinar-not-cancelled';
  if (state.status === 'cancelled') return 'webinar-cancelled';
  if (source.message === 'reminder' || source.message === 'rescheduled') {
    if ((source.revision ?? 0) !== state.revision) return 'webinar-rescheduled';
  }
  // A reminder never arrives once the session has started.
  if (source.message === 'reminder' && now.getTime() >= Date.parse(state.startsAt)) return 'webinar-started';
  if ((source.message === 'confirmation' || source.message === 'rescheduled') && now.getTime() >= Date.parse(state.endsAt)) return 'webinar-over';
  return undefined;
}

/** Attendees by watch share and lateness (the first matching variant), else the attendees' template; no-shows theirs. */
export function followUpTemplate(configured: ConfiguredSession, state: SessionState, registrant: Registrant): string {
  const { followUps } = configured.policy;
  const attended = registrant.attended === true && (registrant.watchSeconds ?? 0) >= followUps.attendedMinutes * 60;
  if (!attended) return followUps.noShows.template;
  const startedAt = Date.parse(state.startedAt ?? state.startsAt);
  for (const variant of followUps.variants) {
    if (variant.maxWatchShare !== undefined && (registrant.watchShare ?? 0) <= variant.maxWatchShare) return variant.template;
    if (variant.minJoinDelay !== undefined && registrant.firstJoinedAt && Date.parse(registrant.firstJoinedAt) - startedAt >= (parseDuration(variant.minJoinDelay) ?? Infinity)) {
      return variant.template;
    }
  }
  return followUps.attendees.template;
}

function surveyUrlOf(configured: ConfiguredSession): string | undefined {
  return configured.session.surveyUrl ?? configured.policy.followUps.surveyUrl;
}

/** A contact's link of a webinar session: its calendar file, its survey redirect, its registration. */
export function personalLink(purpose: 'calendar' | 'survey' | 'register', configured: ConfiguredSession, contact: Pick<Contact, 'contactId'>, links: WebinarLinks): string {
  const token = signToken({ purpose, messageId: configured.webinar.id, runId: configured.session.id, contactId: contact.contactId }, links.tokenSecret);
  const path = purpose === 'calendar' ? 'ics' : purpose === 'survey' ? 's' : 'r';
  return `${links.baseUrl}/w/${path}/${token}`;
}

function sessionContext(configured: ConfiguredSession, state: SessionState, contact: Contact, locale: Locale, links: WebinarLinks): WebinarRenderContext {
  const { webinar, session } = configured;
  return {
    title: webinar.title[locale] ?? Object.values(webinar.title)[0] ?? webinar.id,
    startsAtLocal: formatSessionTime(new Date(state.startsAt), new Date(state.endsAt), locale, contact.timeZone),
    ...(session.joinUrl ? { joinUrl: session.joinUrl } : {}),
    ...(session.venue ? { venue: venueText(session.venue, locale) } : {}),
    calendarUrl: personalLink('calendar', configured, contact, links),
  };
}

/**
 * The invitation part of a campaign or step that `invites` to a webinar: its next session that has
 * not started, and the recipient's one-click registration link. Undefined when no session is left.
 */
export function invitationContext(config: EngineConfig, webinarId: string, contact: Contact, locale: Locale, now: Date, links: WebinarLinks): WebinarRenderContext | undefined {
  const next = sessionsOf(config, webinarId).find((candidate) => candidate.startsAt.getTime() > now.getTime());
  if (!next) return undefined;
  return {
    title: next.webinar.title[locale] ?? Object.values(next.webinar.title)[0] ?? webinarId,
    startsAtLocal: formatSessionTime(next.startsAt, next.endsAt, locale, contact.timeZone),
    ...(next.session.venue ? { venue: venueText(next.session.venue, locale) } : {}),
    registerUrl: personalLink('register', next, contact, links),
  };
}

/** An in-person session's venue in one line: its name, then its address. */
export function venueText(venue: NonNullable<ConfiguredSession['session']['venue']>, locale: Locale): string {
  return [venue.name[locale], venue.address[locale]].filter(Boolean).join(', ');
}

const INTL_LOCALES: Record<Locale, string> = { ja: 'ja-JP', en: 'en-US' };

/** A reminder offset (24h, 1h, 30m, 2d) in words: "24 時間後" / "in 24 hours", so two reminders do not read the same. */
export function startsInWords(offset: string, locale: Locale): string {
  const minutes = Math.round((parseDuration(offset) ?? 0) / 60_000);
  const [amount, unit] = minutes % 1440 === 0 && minutes >= 2880 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  if (locale === 'ja') return `${amount}${unit === 'day' ? '日' : unit === 'hour' ? '時間' : '分'}後`;
  return `in ${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** "2026年12月10日(木) 14:00～15:00 (日本標準時)" / "Thu, December 10, 2026, 2:00 PM – 3:00 PM (Eastern Standard Time)". */
export function formatSessionTime(startsAt: Date, endsAt: Date, locale: Locale, timeZone: string): string {
  const intlLocale = INTL_LOCALES[locale];
  const date = new Intl.DateTimeFormat(intlLocale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short', timeZone });
  const time = new Intl.DateTimeFormat(intlLocale, locale === 'ja' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone } : { hour: 'numeric', minute: '2-digit', timeZone });
  const zoneName = new Intl.DateTimeFormat(intlLocale, { timeZone, timeZoneName: 'long' }).formatToParts(startsAt).find((part) => part.type === 'timeZoneName')?.value ?? timeZone;
  const [dash, comma] = locale === 'ja' ? ['～', ' '] : [' – ', ', '];
  const sameDay = date.format(startsAt) === date.format(endsAt);
  const range = sameDay
    ? `${date.format(startsAt)}${comma}${time.format(startsAt)}${dash}${time.format(endsAt)}`
    : `${date.format(startsAt)}${comma}${time.format(startsAt)}${dash}${date.format(endsAt)}${comma}${time.format(endsAt)}`;
  return `${range} (${zoneName})`;
}
