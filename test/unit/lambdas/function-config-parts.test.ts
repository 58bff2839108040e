/**
 * The functions that carry part of the config carry enough of it: every Zoom webhook (from the
 * captured fixtures) goes through the webinar use cases with only WEBINAR_EVENTS_CONFIG_PARTS, and
 * a registration through the tracking function's /w links with only TRACKING_CONFIG_PARTS, each
 * planning its emails (send windows included). A part a function does not carry is named when read,
 * so a use case that starts reading a new part fails here, not in the deployed function.
 * The stores are in-memory stand-ins of the webinar, customer, event and send stores.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfigLocation, loadConfigOrThrow } from '../../../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../../../core/config/engine-config.ts';
import { contactSchema, type Contact } from '../../../core/customers/contact.ts';
import type { WebinarStore } from '../../../core/ports.ts';
import type { DeferredSend } from '../../../core/sending/send-request.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import { signToken } from '../../../core/tracking/link-token.ts';
import type { WebinarDeps } from '../../../core/webinars/register-for-webinar.ts';
import type { AttendanceMark, Registrant, SessionState } from '../../../core/webinars/webinar.ts';
import { processZoomDelivery } from '../../../core/webinars/zoom-delivery.ts';
import { createTrackingApp } from '../../../http/tracking-app.ts';
import { parseBundledConfig, serializeConfig, type ConfigPart } from '../../../lambdas/runtime/bundled-config.ts';
import { carriedConfig, TRACKING_CONFIG_PARTS, WEBINAR_EVENTS_CONFIG_PARTS } from '../../../lambdas/runtime/function-config-parts.ts';

const REPO_ROOT = join(import.meta.dirname, '../../..');
const fixture = (event: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/zoom', `${event}.json`), 'utf8');

let fullConfig: EngineConfig;
beforeAll(async () => {
  fullConfig = await loadConfigOrThrow(defaultConfigLocation(REPO_ROOT));
});

/** The config as a function reads it back from its bundle: only these parts, guarded. */
function asBundled<K extends ConfigPart>(parts: readonly K[], functionName: string): EngineConfig {
  return carriedConfig(parseBundledConfig(serializeConfig(fullConfig, parts), parts), functionName);
}

const hanako: Contact = contactSchema.parse({
  contactId: 'c-hanako',
  accountId: 'acc-1',
  email: 'hanako.sato@example.co.jp',
  firstName: '花子',
  lastName: '佐藤',
  locale: 'ja',
  timeZone: 'Asia/Tokyo',
  consent: 'granted',
});

/** In-memory webinar store with the DynamoDB adapter's conditional semantics (create once, revision check). */
function memoryWebinarStore(): WebinarStore {
  const sessions = new Map<string, SessionState>();
  const registrants = new Map<string, Registrant>();
  const marks = new Map<string, AttendanceMark>();
  const sessionKey = (webinarId: string, sessionId: string) => `${webinarId}|${sessionId}`;
  const registrantKey = (webinarId: string, sessionId: string, email: string) => `${webinarId}|${sessionId}|${email.toLowerCase()}`;
  const copy = <T>(value: T | undefined): T | undefined => (value === undefined ? undefined : structuredClone(value));
  return {
    ensureSession: async (initial) => {
      const key = sessionKey(initial.webinarId, initial.sessionId);
      if (!sessions.has(key)) sessions.set(key, structuredClone(initial));
      return copy(sessions.get(key)) as SessionState;
    },
    getSession: async (webinarId, sessionId) => copy(sessions.get(sessionKey(webinarId, sessionId))),
    updateSession: async (next, expectedRevision) => {
      const key = sessionKey(next.webinarId, next.sessionId);
      if (sessions.get(key)?.revision !== expectedRevision) return false;
      sessions.set(key, structuredClone(next));
      return true;
    },
    recordSessionRun: async (webinarId, sessionId, run) => {
      const state = sessions.get(sessionKey(webinarId, sessionId));
      if (!state) return;
      if (run.startedAt && (!state.startedAt || run.startedAt.toISOString() < state.startedAt)) state.startedAt = run.startedAt.toISOString();
      if (run.endedAt && (!state.endedAt || run.endedAt.toISOString() > state.endedAt)) state.endedAt = run.endedAt.toISOString();
    },
    markFollowUpsPlanned: async (webinarId, sessionId, at) => {
      const state = sessions.get(sessionKey(webinarId, sessionId));
      if (!state || state.followUpsPlannedAt) return false;
      state.followUpsPlannedAt = at.toISOString();
      return true;
    },
    register: async (registrant) => {
      const key = registrantKey(registrant.webinarId, registrant.sessionId, registrant.email);
      if (registrants.has(key)) return false;
      registrants.set(key, structuredClone(registrant));
      return true;
    },
    getRegistrant: async (webinarId, sessionId, email) => copy(registrants.get(registrantKey(webinarId, sessionId, email))),
    listRegistrants: async (webinarId, sessionId) =>
      [...registrants.values()].filter((registrant) => registrant.webinarId === webinarId && (!sessionId || registrant.sessionId === sessionId)).map((registrant) => structuredClone(registrant)),
    listRegistrationsOfContact: async (contactId) => [...registrants.values()].filter((registrant) => registrant.contactId === contactId),
    listUnmatchedRegistrants: async (limit) => [...registrants.values()].filter((registrant) => !registrant.contactId).slice(0, limit),
    matchRegistrant: async (registrant, contactId, accountId) => {
      const stored = registrants.get(registrantKey(registrant.webinarId, registrant.sessionId, registrant.email));
      if (!stored || stored.contactId) return false;
      Object.assign(stored, { contactId, accountId });
      return true;
    },
    addAnswers: async (webinarId, sessionId, email, answers) => {
      const stored = registrants.get(registrantKey(webinarId, sessionId, email));
      if (!stored) return;
      for (const answer of answers) {
        const at = stored.answers.findIndex((existing) => existing.question === answer.question);
        if (at === -1) stored.answers.push(answer);
        else stored.answers[at] = answer;
      }
    },
    saveRegistrants: async (changed) => {
      for (const registrant of changed) registrants.set(registrantKey(registrant.webinarId, registrant.sessionId, registrant.email), structuredClone(registrant));
    },
    recordAttendance: async (added) => {
      for (const mark of added) marks.set(JSON.stringify([mark.webinarId, mark.sessionId, mark.person, mark.kind, mark.at, mark.stayKey]), structuredClone(mark));
    },
    listAttendance: async (webinarId, sessionId) => [...marks.values()].filter((mark) => mark.webinarId === webinarId && mark.sessionId === sessionId),
  };
}

interface Recorded {
  deps: WebinarDeps;
  parked: DeferredSend[];
  events: EngagementEvent[];
}

function webinarDeps(config: EngineConfig, now: () => Date, contacts: readonly Contact[] = [hanako]): Recorded {
  const parked: DeferredSend[] = [];
  const events = new Map<string, EngagementEvent>();
  const byEmail = (email: string) => contacts.find((contact) => contact.email === email.toLowerCase());
  const recorded: Recorded = {
    parked,
    get events() {
      return [...events.values()];
    },
    deps: {
      config,
      webinars: memoryWebinarStore(),
      customers: {
        findContactByEmail: async (email) => byEmail(email),
        contactIdsByEmail: async (emails) => new Map(emails.flatMap((email) => (byEmail(email) ? [[email.toLowerCase(), byEmail(email)!.contactId] as const] : []))),
        getContacts: async (ids) => new Map(contacts.filter((contact) => ids.includes(contact.contactId)).map((contact) => [contact.contactId, contact])),
      },
      engagement: {
        recordEvent: async (event) => {
          if (events.has(event.eventId)) return false;
          events.set(event.eventId, event);
          return true;
        },
      },
      sends: { deferSends: async (deferred) => void parked.push(...deferred) },
      clock: { now },
    },
  };
  return recorded;
}

const delivery = (event: string, receivedAt: Date) => JSON.stringify({ source: 'zoom', rawBody: fixture(event), receivedAt: receivedAt.toISOString() });
const webinarMessagesOf = (parked: readonly DeferredSend[]) => parked.map((entry) => (entry.request.source.kind === 'webinar' ? entry.request.source.message : entry.request.source.kind));

describe('carriedConfig', () => {
  it('reads the parts a function carries, and names a part it does not carry and where to add it', () => {
    const config = asBundled(['topics'], 'SES events');
    expect(config.topics).toEqual(fullConfig.topics);
    expect(() => config.campaigns).toThrow("config part 'campaigns' is not bundled into the SES events function: add it to its list in lambdas/runtime/function-config-parts.ts");
    // Anything that is not a config part reads as on a plain object.
    expect((config as unknown as Record<string, unknown>).then).toBeUndefined();
  });
});

describe('the webinar events function carries enough config', () => {
  it('processes every Zoom webhook (registration, reschedule, joins, leaves, start, end) with WEBINAR_EVENTS_CONFIG_PARTS alone, planning their emails', async () => {
    let now = new Date('2026-12-01T00:00:00Z');
    const recorded = webinarDeps(asBundled(WEBINAR_EVENTS_CONFIG_PARTS, 'webinar events'), () => now);
    const { deps, parked } = recorded;
    const outcomes: string[] = [];
    const receive = async (event: string, at: string) => {
      now = new Date(at);
      outcomes.push((await processZoomDelivery(delivery(event, now), deps)).outcome);
    };
    await receive('webinar.registration_created', '2026-12-01T00:00:00Z');
    await receive('webinar.updated', '2026-12-02T00:00:00Z');
    await receive('webinar.started', '2026-12-17T04:58:31Z');
    await receive('webinar.participant_joined', '2026-12-17T05:01:12Z');
    await receive('webinar.participant_left', '2026-12-17T05:48:40Z');
    await receive('webinar.ended', '2026-12-17T06:07:15Z');
    expect(outcomes.slice(0, 5)).toEqual(['registered', 'rescheduled', 'started', 'joined', 'left']);
    expect(outcomes[5]).toMatch(/^ended: /);
    // Confirmation and reminders on registering, the new time and new reminders on the move, the follow-up at the end.
    const planned = webinarMessagesOf(parked);
    expect(planned).toEqual(expect.arrayContaining(['confirmation', 'reminder', 'rescheduled', 'follow-up']));
    expect(recorded.events.map((event) => event.type)).toEqual(expect.arrayContaining(['webinar-registered']));
  });

  it('processes a cancellation with WEBINAR_EVENTS_CONFIG_PARTS alone, telling the registrant', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const { deps, parked } = webinarDeps(asBundled(WEBINAR_EVENTS_CONFIG_PARTS, 'webinar events'), () => now);
    expect((await processZoomDelivery(delivery('webinar.registration_created', now), deps)).outcome).toBe('registered');
    expect((await processZoomDelivery(delivery('webinar.deleted', now), deps)).outcome).toBe('cancelled');
    expect(webinarMessagesOf(parked)).toContain('cancellation');
  });
});

describe('the tracking function carries enough config for the webinar links', () => {
  it('shows the registration page, registers with one click (planning confirmation and reminders) and serves the calendar file with TRACKING_CONFIG_PARTS alone', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const config = asBundled(TRACKING_CONFIG_PARTS, 'tracking');
    const { deps, parked } = webinarDeps(config, () => now);
    const tokenSecret = 'link-secret-for-unit-tests-0123456789';
    const unused = (what: string) => async () => Promise.reject(new Error(`${what} is not used by the webinar links`));
    const app = createTrackingApp({
      customers: { getContact: async (id) => (id === hanako.contactId ? hanako : undefined), setTopicOptOuts: unused('setTopicOptOuts') },
      sends: { getSend: unused('getSend'), getMessageLinks: unused('getMessageLinks'), trackedEventsOfSend: unused('trackedEventsOfSend') },
      engagement: deps.engagement,
      suppressions: { suppress: unused('suppress'), suppressedAmong: unused('suppressedAmong') },
      topics: config.topics,
      clock: deps.clock,
      tokenSecret,
      webinarLinks: { ...deps, customers: { ...deps.customers, getContact: async (id) => (id === hanako.contactId ? hanako : undefined) }, tokenSecret, baseUrl: 'https://links.example.com' },
    });
    const token = (purpose: 'register' | 'calendar') => signToken({ purpose, messageId: 'dashboards-101', runId: 'tokyo-dec-10', contactId: hanako.contactId }, tokenSecret);

    expect((await app.request(`/w/r/${token('register')}`)).status).toBe(200);
    const registered = await app.request(`/w/r/${token('register')}`, { method: 'POST', body: 'form=register', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(registered.status).toBe(200);
    expect(await deps.webinars.getRegistrant('dashboards-101', 'tokyo-dec-10', hanako.email)).toMatchObject({ contactId: hanako.contactId, source: 'link' });
    expect(webinarMessagesOf(parked)).toEqual(expect.arrayContaining(['confirmation', 'reminder']));

    const calendar = await app.request(`/w/ics/${token('calendar')}`);
    expect(calendar.status).toBe(200);
    expect(calendar.headers.get('content-type')).toContain('text/calendar');
    // The organizer comes from the senders part.
    expect(await calendar.text()).toMatch(/ORGANIZER/);
  });
});
