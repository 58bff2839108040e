/**
 * Webinars end to end against DynamoDB Local, through the signed Zoom webhook route, the webinar
 * queue, the parked-send due index and the sender: registrations (one unknown address, joined when
 * the contact is imported), a rescheduled session, attendance with attendees, an early leaver and
 * no-shows, and every follow-up exactly once although Zoom resends every webhook and the
 * attendance report is imported twice. A cancelled session sends no reminder and tells registrants.
 * Bad signatures, stale timestamps, replays and malformed payloads record nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import { InProcessWebinarQueue } from '../../adapters/local/in-process-webinar-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Contact } from '../../core/customers/contact.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { parseAttendanceReport } from '../../core/webinars/attendance-report.ts';
import { importAttendance } from '../../core/webinars/record-attendance.ts';
import type { WebinarDeps } from '../../core/webinars/register-for-webinar.ts';
import { sweepWebinars as webinarSweepOf } from '../../core/webinars/webinar-sweep.ts';
import { processZoomDelivery } from '../../core/webinars/zoom-delivery.ts';
import { signAsZoom } from '../../core/webinars/zoom-webhook-signature.ts';
import { zoomWebhookRoutes } from '../../http/zoom-webhook-routes.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, RecordingMailer, REPO_ROOT, senderDeps } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

const ZOOM_SECRET = 'zoom-secret-token-for-tests';
const TOKYO_ZOOM_ID = 81234567890;
const EN_ZOOM_ID = 81234567891;
let table: TestTable;
let config: EngineConfig;
let now = new Date('2026-12-01T00:00:00Z');
const clock = { now: () => now };
const mailer = new RecordingMailer();
const sendQueue = new InProcessQueue();
let deps: WebinarDeps;
let webinarQueue: InProcessWebinarQueue;
let webhook: ReturnType<typeof zoomWebhookRoutes>;

const contact = (id: string, locale: 'ja' | 'en', timeZone: string): Contact => ({
  contactId: id, accountId: 'acc', email: `${id}@example.com`, firstName: 'A', lastName: 'B', locale, timeZone, consent: 'granted', topicsOptedOut: [],
});

async function post(body: unknown, at = now, secret = ZOOM_SECRET): Promise<Response> {
  const raw = JSON.stringify(body);
  const { timestamp, signature } = signAsZoom(raw, secret, at);
  return webhook.request('/zoom', { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature } });
}

/** Posts each webhook twice (Zoom resends when the answer is slow) and processes the queue. */
async function zoomSends(...bodies: unknown[]): Promise<void> {
  for (const body of [...bodies, ...bodies]) expect((await post(body)).status).toBe(200);
  await webinarQueue.drain();
}

const registration = (zoomId: number, email: string, extra: Record<string, unknown> = {}) => ({
  event: 'webinar.registration_created',
  event_ts: now.getTime(),
  payload: { account_id: 'zoom-acc', object: { id: zoomId, uuid: 'u-1', topic: 'Dashboards 101', start_time: '2026-12-10T05:00:00Z', registrant: { email, first_name: 'A', last_name: 'B', id: `r-${email}`, ...extra } } },
});
const participant = (event: 'webinar.participant_joined' | 'webinar.participant_left', email: string, key: string, at: string) => ({
  event,
  event_ts: Date.parse(at),
  payload: { account_id: 'zoom-acc', object: { id: String(TOKYO_ZOOM_ID), uuid: 'inst-1', topic: 'Dashboards 101', participant: { user_id: key, participant_uuid: key, user_name: 'A B', email, id: '', ...(event === 'webinar.participant_joined' ? { join_time: at } : { leave_time: at }) } } },
});

async function sendDue(): Promise<void> {
  await releaseDeferredSends({ sends: table.store.sends, pauses: table.store.pauses, queue: sendQueue, clock, caps: [] });
  await drainQueue(sendQueue, senderDeps(table.store, config, mailer, clock), processSendBatch);
}
const sentTo = (address: string) => mailer.sent.filter((email) => email.to === address);
const subjects = (address: string) => sentTo(address).map((email) => email.subject);

beforeAll(async () => {
  table = await createTestTable('webinars');
  ({ config } = await openConfig());
  deps = { config, webinars: table.store.webinars, customers: table.store.customers, engagement: withEngagementPath(table.store, config.scoring, clock).engagement, sends: table.store.sends, clock };
  webinarQueue = new InProcessWebinarQueue({ process: (delivery) => processZoomDelivery(delivery, deps) });
  webhook = zoomWebhookRoutes({ secretToken: ZOOM_SECRET, queue: webinarQueue, clock });
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  for (const id of ['full', 'early', 'noshow', 'late-import']) await table.store.customers.upsertContact(contact(id, 'ja', 'Asia/Tokyo'), now);
  for (const id of ['ny-1', 'ny-2']) await table.store.customers.upsertContact(contact(id, 'en', 'America/New_York'), now);
});
afterAll(() => table.drop());

describe('the signed webhook route', () => {
  it('refuses a bad signature, a stale timestamp, a missing header and a malformed payload, and records nothing', async () => {
    const body = registration(TOKYO_ZOOM_ID, 'full@example.com');
    expect((await post(body, now, 'not-the-secret')).status).toBe(401);
    expect((await post(body, new Date(now.getTime() - 10 * 60_000))).status).toBe(401);
    expect((await webhook.request('/zoom', { method: 'POST', body: JSON.stringify(body) })).status).toBe(401);
    // Signed, but tampered with after signing.
    const raw = JSON.stringify(body);
    const { timestamp, signature } = signAsZoom(raw, ZOOM_SECRET, now);
    const tampered = raw.replace('full@', 'evil@');
    expect((await webhook.request('/zoom', { method: 'POST', body: tampered, headers: { 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature } })).status).toBe(401);
    expect((await post({ event: 'webinar.registration_created', event_ts: now.getTime(), payload: { object: {} } })).status).toBe(400);
    expect((await post('not an object')).status).toBe(400);
    await webinarQueue.drain();
    expect(webinarQueue.processed).toBe(0);
    expect(await table.store.webinars.listRegistrants('dashboards-101')).toEqual([]);
  });

  it('answers the URL validation challenge with the HMAC of the plain token', async () => {
    const response = await post({ event: 'endpoint.url_validation', event_ts: now.getTime(), payload: { plainToken: 'plain-123' } });
    expect(await response.json()).toEqual({ plainToken: 'plain-123', encryptedToken: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

describe('a webinar from registration to follow-ups', () => {
  it('registers (each webhook twice), keeps an unknown address, confirms once, and joins the address when the contact is imported', async () => {
    await zoomSends(
      registration(TOKYO_ZOOM_ID, 'full@example.com', { custom_questions: [{ title: 'What would you like to learn?', value: 'Slack alerts' }] }),
      registration(TOKYO_ZOOM_ID, 'early@example.com'),
      registration(TOKYO_ZOOM_ID, 'noshow@example.com'),
      registration(TOKYO_ZOOM_ID, 'stranger@example.com'),
      registration(EN_ZOOM_ID, 'ny-1@example.com'),
      registration(EN_ZOOM_ID, 'ny-2@example.com'),
    );
    const tokyo = await table.store.webinars.listRegistrants('dashboards-101', 'tokyo-dec-10');
    expect(tokyo.map((registrant) => [registrant.email, registrant.contactId ?? null])).toEqual(
      expect.arrayContaining([['full@example.com', 'full'], ['stranger@example.com', null]]),
    );
    expect(tokyo.find((registrant) => registrant.email === 'full@example.com')?.answers).toEqual([{ question: 'What would you like to learn?', answer: 'Slack alerts' }]);
    await sendDue();
    await sendDue();
    expect(subjects('full@example.com')).toHaveLength(1);
    expect(sentTo('full@example.com')[0]?.tags).toMatchObject({ kind: 'webinar', webinar: 'dashboards-101', session: 'tokyo-dec-10' });
    expect(sentTo('stranger@example.com')).toEqual([]);

    await table.store.customers.upsertContact({ ...contact('stranger', 'en', 'Asia/Tokyo'), email: 'stranger@example.com' }, now);
    expect((await webinarSweepOf(deps)).matched).toBe(1);
    expect((await webinarSweepOf(deps)).matched).toBe(0);
    await sendDue();
    expect(sentTo('stranger@example.com')).toHaveLength(1);
  });

  it('follows up attendees, the early leaver and no-shows exactly once despite resent webhooks and a double import', async () => {
    // Tokyo session: 2026-12-10 05:00Z to 06:00Z. Reminders went out before it.
    now = new Date('2026-12-10T04:30:00Z');
    await sendDue();
    const remindersBefore = subjects('full@example.com').length;
    expect(remindersBefore).toBe(3); // confirmation, 24 h and 1 h reminders
    await zoomSends(
      participant('webinar.participant_joined', 'full@example.com', 'p-full', '2026-12-10T04:58:00Z'),
      participant('webinar.participant_joined', 'early@example.com', 'p-early', '2026-12-10T05:00:00Z'),
      participant('webinar.participant_left', 'early@example.com', 'p-early', '2026-12-10T05:20:00Z'),
      participant('webinar.participant_left', 'full@example.com', 'p-full', '2026-12-10T06:02:00Z'),
    );
    now = new Date('2026-12-10T06:03:00Z');
    await zoomSends({ event: 'webinar.ended', event_ts: now.getTime(), payload: { account_id: 'zoom-acc', object: { id: TOKYO_ZOOM_ID, uuid: 'inst-1', start_time: '2026-12-10T05:00:00Z', end_time: '2026-12-10T06:02:00Z', duration: 60 } } });
    // The team also imports the attendance report: twice.
    const report = parseAttendanceReport(
      ['email,join_time,leave_time', 'full@example.com,2026-12-10T14:00:00,2026-12-10T15:00:00', 'late-import@example.com,2026-12-10T14:10:00,2026-12-10T15:00:00'].join('\n'),
      { timeZone: 'Asia/Tokyo' },
    );
    for (let i = 0; i < 2; i++) {
      await importAttendance({ webinarId: 'dashboards-101', sessionId: 'tokyo-dec-10', origin: 'report', stays: report.attendance, registrations: [] }, deps);
    }
    const summary = new Map((await table.store.webinars.listRegistrants('dashboards-101', 'tokyo-dec-10')).map((registrant) => [registrant.email, registrant]));
    expect(summary.get('full@example.com')).toMatchObject({ attended: true, watchShare: 1 });
    expect(summary.get('early@example.com')).toMatchObject({ attended: true, watchSeconds: 20 * 60 });
    expect(summary.get('noshow@example.com')).toMatchObject({ attended: false, watchSeconds: 0 });
    expect(summary.get('late-import@example.com')).toMatchObject({ attended: true, source: 'attendance', contactId: 'late-import' });

    // Follow-ups: 2 h after the end (08:02Z = 17:02 in Tokyo, before 18:00): the same day.
    now = new Date('2026-12-10T08:03:00Z');
    await sendDue();
    await sendDue();
    const followUp = (address: string) => sentTo(address).slice(address === 'full@example.com' ? remindersBefore : 0).filter((email) => !email.subject.includes('リマインド'));
    const templateOf = (address: string) => sentTo(address).at(-1)?.subject ?? '';
    expect(sentTo('full@example.com')).toHaveLength(remindersBefore + 1);
    expect(sentTo('early@example.com')).toHaveLength(4);
    expect(sentTo('noshow@example.com')).toHaveLength(4);
    expect(templateOf('full@example.com')).not.toBe(templateOf('early@example.com'));
    expect(templateOf('noshow@example.com')).not.toBe(templateOf('full@example.com'));
    expect(followUp('late-import@example.com')).toHaveLength(1);

    const events = await table.store.engagement.listEventsOfContact('early');
    expect(events.filter((event) => event.type === 'webinar-attended')).toHaveLength(1);
    expect((await table.store.engagement.listEventsOfContact('noshow')).filter((event) => event.type === 'webinar-no-show')).toHaveLength(1);
  });

  it('moves the reminders of a rescheduled session, tells its registrants, and sends a cancelled one no reminder', async () => {
    // The English session moves from Dec 11 15:00Z to Dec 12 15:00Z (Zoom's webinar.updated), sent twice.
    const update = {
      event: 'webinar.updated',
      event_ts: now.getTime(),
      payload: { account_id: 'zoom-acc', operator: 'host@example.com', time_stamp: now.getTime(), object: { id: EN_ZOOM_ID, start_time: '2026-12-12T15:00:00Z', duration: 60 }, old_object: { id: EN_ZOOM_ID, start_time: '2026-12-11T15:00:00Z', duration: 60 } },
    };
    await zoomSends(update);
    expect(await table.store.webinars.getSession('dashboards-101', 'online-en-dec-11')).toMatchObject({ startsAt: '2026-12-12T15:00:00.000Z', revision: 1 });
    await sendDue();
    expect(sentTo('ny-1@example.com')).toHaveLength(2); // confirmation + the new time

    // At the old reminder time nothing goes; 24 h before the new start, one reminder.
    now = new Date('2026-12-10T15:01:00Z');
    await sendDue();
    expect(sentTo('ny-1@example.com')).toHaveLength(2);
    now = new Date('2026-12-11T15:01:00Z');
    await sendDue();
    expect(sentTo('ny-1@example.com')).toHaveLength(3);

    // Then the session is cancelled (webinar.deleted, sent twice): the 1 h reminder never goes, the cancellation once.
    await zoomSends({ event: 'webinar.deleted', event_ts: now.getTime(), payload: { account_id: 'zoom-acc', operation: 'all', object: { id: EN_ZOOM_ID, uuid: 'u-2' } } });
    now = new Date('2026-12-12T14:05:00Z');
    await sendDue();
    const ny = sentTo('ny-1@example.com');
    expect(ny).toHaveLength(4);
    const skips = await table.store.sends.listSkipsOfRun('dashboards-101', 'reminder-1h-online-en-dec-11-r1');
    expect(skips.map((skip) => skip.reason)).toEqual(expect.arrayContaining(['webinar-cancelled']));
  });

  it('refuses a replayed webhook within the window without recording anything new', async () => {
    const before = (await table.store.webinars.listAttendance('dashboards-101', 'tokyo-dec-10')).length;
    await zoomSends(participant('webinar.participant_left', 'full@example.com', 'p-full', '2026-12-10T06:02:00Z'));
    expect((await table.store.webinars.listAttendance('dashboards-101', 'tokyo-dec-10')).length).toBe(before);
    await sendDue();
    expect(sentTo('full@example.com').length).toBe(4);
  });
});

describe('the attendance report fixtures', () => {
  it('reads every shipped layout', async () => {
    for (const file of ['zoom-attendee-report-2025.csv', 'zoom-attendee-report-legacy.csv', 'generic-attendance.csv']) {
      const parsed = parseAttendanceReport(await readFile(join(REPO_ROOT, 'test', 'fixtures', 'webinars', file), 'utf8'), { timeZone: 'Asia/Tokyo' });
      expect(parsed.attendance.length, file).toBeGreaterThan(0);
    }
  });
});
