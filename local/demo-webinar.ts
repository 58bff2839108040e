/**
 * The demo's webinar chapter, on the virtual clock: the Dashboards 101 invitation goes out with
 * one-click registration links; a link scanner fetches some of them (nobody is registered by
 * that) and people press the button (two answer the question); Zoom registrations arrive through
 * the signed webhook, each sent twice, one of an address that is no contact yet; the English
 * session is rescheduled by Zoom; confirmations and reminders go out at their virtual times; at
 * the Tokyo session some attend fully, some leave early, some do not show (join/leave webhooks,
 * each twice, then the attendance report imported twice); follow-ups go out the same day. Returns
 * the numbers the demo's summary shows and checks.
 */
import type { EngineConfig } from '../core/config/engine-config.ts';
import type { Contact } from '../core/customers/contact.ts';
import { webinarKpis, type WebinarKpis } from '../core/reporting/webinar-kpis.ts';
import { sessionSpan } from '../core/webinars/finalize-session.ts';
import { importAttendance } from '../core/webinars/record-attendance.ts';
import { requireSession } from '../core/webinars/webinar-catalog.ts';
import { signAsZoom } from '../core/webinars/zoom-webhook-signature.ts';
import type { VirtualClock } from '../adapters/local/virtual-clock.ts';
import type { LocalEngine } from './engine-wiring.ts';

export interface WebinarDemoInput {
  engine: LocalEngine;
  config: EngineConfig;
  clock: VirtualClock;
  engineUrl: string;
  sesEndpoint: string;
  zoomSecret: string;
  contacts: readonly Contact[];
}

export interface WebinarDemoResult {
  invitations: number;
  scannerRegistrations: number;
  registeredByLink: number;
  zoomRegistrations: number;
  webhooksPosted: number;
  webhooksRefused: number;
  kpis: WebinarKpis;
  /** Webinar emails (incl. invitations) the engine sent, by message. */
  sentByMessage: Map<string, number>;
  /** Tokyo registrants matched to contacts, and the follow-ups they got (must be equal). */
  tokyoRegistrants: number;
  tokyoFollowUps: number;
  emailsSent: number;
}

const WEBINAR = 'dashboards-101';
const TOKYO = 'tokyo-dec-10';
const ENGLISH = 'online-en-dec-11';
const STEP_MS = 15 * 60_000;
const PERSON = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const SCANNER = 'Mozilla/5.0 (compatible; Proofpoint URL Defense)';

export async function runWebinarDemo(input: WebinarDemoInput): Promise<WebinarDemoResult> {
  const { engine, config, clock, engineUrl } = input;
  const log = (line: string) => console.log(`  ${clock.now().toISOString().slice(0, 16)}Z  ${line}`);
  const invitation = config.campaigns.find((campaign) => campaign.invites === WEBINAR);
  if (!invitation?.schedule.at) throw new Error(`the demo needs a one-off campaign inviting to ${WEBINAR}`);
  const tokyo = requireSession(config, WEBINAR, TOKYO);
  const english = requireSession(config, WEBINAR, ENGLISH);

  // 1. The invitation (one-off campaign), then the send window opens for those it deferred.
  const inviteAt = new Date('2026-12-07T02:00:00Z');
  clock.set(inviteAt);
  const dispatched = await engine.dispatch(invitation.id, inviteAt);
  if (dispatched.outcome !== 'dispatched') throw new Error(`invitation: ${dispatched.outcome}`);
  await engine.workers.drain();
  await runClock(input, new Date(inviteAt.getTime() + 24 * 3_600_000), log);
  const invitations = (await engine.store.sends.listSendsOfRun(invitation.id, dispatched.runId)).filter((send) => send.state === 'sent').length;
  log(`${invitation.id}: ${invitations} invitation(s) with one-click registration links (${JSON.stringify(dispatched.counts)})`);

  // 2. A scanner fetches links, people press the button.
  const inbox = await mailbox(input.sesEndpoint);
  const registerLinks = inbox.flatMap((email) => {
    const link = /href="([^"]+\/w\/r\/[^"]+)"/u.exec(email.body.html ?? '')?.[1];
    return link ? [{ to: email.destination.to[0] ?? '', link: link.replaceAll('&amp;', '&') }] : [];
  });
  let scannerRegistrations = 0;
  for (const { to, link } of registerLinks.slice(0, 12)) {
    await fetch(link, { headers: { 'user-agent': SCANNER } });
    if (await engine.store.webinars.getRegistrant(WEBINAR, TOKYO, to)) scannerRegistrations++;
  }
  let registeredByLink = 0;
  for (const [index, { link }] of registerLinks.slice(0, 8).entries()) {
    const form = (body: string) => fetch(link, { method: 'POST', headers: { 'user-agent': PERSON, 'content-type': 'application/x-www-form-urlencoded' }, body });
    if ((await form('form=register')).status === 200) registeredByLink++;
    if (index < 2) await form(`form=answer&answer=${encodeURIComponent(index === 0 ? 'Slack 通知の条件設定を詳しく知りたい' : 'How do scheduled reports handle time zones?')}`);
  }
  log(`link scanner fetched ${Math.min(12, registerLinks.length)} registration links: ${scannerRegistrations} registered by it; ${registeredByLink} people registered with one click (2 answered the question)`);

  // 3. Zoom registrations for the English session, through the signed webhook, each sent twice.
  let webhooksPosted = 0;
  let webhooksRefused = 0;
  const zoom = async (body: unknown) => {
    for (let copy = 0; copy < 2; copy++) {
      const raw = JSON.stringify(body);
      const { timestamp, signature } = signAsZoom(raw, input.zoomSecret, clock.now());
      const response = await fetch(`${engineUrl}/webhooks/zoom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature }, body: raw });
      webhooksPosted++;
      if (response.status !== 200) webhooksRefused++;
    }
    await engine.webinarQueue.drain();
  };
  const invited = new Set(registerLinks.map(({ to }) => to));
  const zoomPeople = input.contacts.filter((contact) => contact.consent === 'granted' && !invited.has(contact.email)).slice(0, 3);
  const englishZoomId = Number(english.session.zoomWebinarId);
  for (const person of [...zoomPeople.map((contact) => contact.email), 'new.prospect@example.org']) {
    await zoom({
      event: 'webinar.registration_created',
      event_ts: clock.now().getTime(),
      payload: { account_id: 'demo', object: { id: englishZoomId, uuid: 'en-1', topic: english.webinar.title.en, start_time: english.startsAt.toISOString(), registrant: { email: person, first_name: 'Demo', last_name: 'Person', id: `r-${person}`, custom_questions: [{ title: 'What would you like to learn?', value: 'Alerts' }] } } },
    });
  }
  const unmatched = await engine.store.webinars.listUnmatchedRegistrants(10);
  log(`${zoomPeople.length + 1} Zoom registrations (each webhook twice) for ${ENGLISH}; ${unmatched.length} of an address that is no contact yet: kept`);
  // The CRM then sends that person as a contact: the sweep joins the registration to them.
  const colleague = zoomPeople[0];
  if (colleague) {
    await engine.store.customers.upsertContact(
      { contactId: 'con-new-prospect', accountId: colleague.accountId, email: 'new.prospect@example.org', firstName: 'Jordan', lastName: 'Lee', locale: 'en', timeZone: 'America/New_York', consent: 'granted', topicsOptedOut: [] },
      clock.now(),
    );
    const swept = await engine.sweepWebinars();
    log(`the CRM imports that person: the webinar sweep joins ${swept.matched} registration to the new contact (confirmation and reminders follow)`);
  }

  // 4. Zoom moves the English session by a day.
  const movedTo = new Date(english.startsAt.getTime() + 24 * 3_600_000);
  await zoom({
    event: 'webinar.updated',
    event_ts: clock.now().getTime(),
    payload: { account_id: 'demo', operator: 'host@example.com', time_stamp: clock.now().getTime(), object: { id: englishZoomId, start_time: movedTo.toISOString(), duration: 60 }, old_object: { id: englishZoomId, start_time: english.startsAt.toISOString(), duration: 60 } },
  });
  log(`Zoom rescheduled ${ENGLISH} to ${movedTo.toISOString()}: reminders move, registrants are told`);

  // 5. Time passes: confirmations, the 24 h and 1 h reminders in each registrant's zone.
  const tokyoStart = tokyo.startsAt.getTime();
  await runClock(input, new Date(tokyoStart - 2 * 60_000), log);

  // 6. The Tokyo session: full attendees, early leavers, no-shows; every webhook twice.
  const registrants = (await engine.store.webinars.listRegistrants(WEBINAR, TOKYO)).filter((registrant) => registrant.contactId);
  const at = (minutes: number) => new Date(tokyoStart + minutes * 60_000).toISOString();
  const tokyoZoomId = Number(tokyo.session.zoomWebinarId);
  const presence = (event: string, email: string, key: string, time: string) => ({
    event,
    event_ts: Date.parse(time),
    payload: { account_id: 'demo', object: { id: String(tokyoZoomId), uuid: 'tokyo-1', topic: tokyo.webinar.title.ja, participant: { user_id: key, participant_uuid: key, user_name: 'Demo', id: '', email, ...(event.endsWith('joined') ? { join_time: time } : { leave_time: time }) } } },
  });
  const stays: Array<[number, number]> = [[-2, 61], [0, 61], [3, 58], [0, 15], [5, 22]];
  const timeline = registrants.flatMap((registrant, index) => {
    const stay = stays[index];
    // The rest do not show.
    return stay
      ? [
          { time: at(stay[0]), body: presence('webinar.participant_joined', registrant.email, `p-${index}`, at(stay[0])) },
          { time: at(stay[1]), body: presence('webinar.participant_left', registrant.email, `p-${index}`, at(stay[1])) },
        ]
      : [];
  });
  for (const { time, body } of timeline.sort((a, b) => a.time.localeCompare(b.time))) {
    clock.set(new Date(Math.max(clock.now().getTime(), Date.parse(time))));
    await zoom(body);
  }
  clock.set(new Date(at(61)));
  await zoom({ event: 'webinar.ended', event_ts: clock.now().getTime(), payload: { account_id: 'demo', object: { id: tokyoZoomId, uuid: 'tokyo-1', start_time: at(0), end_time: at(61), duration: 60 } } });
  // The team also imports the attendee report (twice: the second changes nothing).
  const reported = registrants.slice(0, 2).map((registrant) => ({ email: registrant.email, joinedAt: new Date(at(0)), leftAt: new Date(at(60)) }));
  for (let copy = 0; copy < 2; copy++) await importAttendance({ webinarId: WEBINAR, sessionId: TOKYO, origin: 'report', stays: reported, registrations: [] }, engine.webinarDeps);
  log(`${TOKYO} ended: ${Math.min(stays.length, registrants.length)} joined (2 left early), ${Math.max(0, registrants.length - stays.length)} did not show; attendance report imported twice`);

  // 7. Follow-ups the same day (2 h after the end, before 18:00 in Tokyo), then the English session's reminders.
  await runClock(input, new Date(movedTo.getTime() - 30 * 60_000), log);

  const state = await engine.store.webinars.getSession(WEBINAR, TOKYO);
  const [all, marks] = await Promise.all([engine.store.webinars.listRegistrants(WEBINAR, TOKYO), engine.store.webinars.listAttendance(WEBINAR, TOKYO)]);
  const kpis = webinarKpis(all, marks, sessionSpan(state ?? { webinarId: WEBINAR, sessionId: TOKYO, startsAt: at(0), endsAt: at(60), status: 'scheduled', revision: 0 }, marks), tokyo.policy.followUps.attendedMinutes);
  const followUps = (await engine.store.sends.listSendsOfRun(WEBINAR, `follow-up-${TOKYO}`)).filter((send) => send.state === 'sent').length;
  const sentByMessage = new Map<string, number>([['invitation', invitations]]);
  for (const kind of ['confirmation', 'rescheduled', 'reminder', 'follow-up']) {
    let count = 0;
    for (const session of [TOKYO, ENGLISH]) {
      const runs = kind === 'reminder' ? tokyo.policy.reminders.flatMap((reminder) => [0, 1].map((revision) => `reminder-${reminder.before}-${session}-r${revision}`)) : kind === 'rescheduled' ? [`rescheduled-${session}-r1`] : [`${kind}-${session}`];
      for (const run of runs) count += (await engine.store.sends.listSendsOfRun(WEBINAR, run)).filter((send) => send.state === 'sent').length;
    }
    sentByMessage.set(kind, count);
  }
  return {
    invitations,
    scannerRegistrations,
    registeredByLink,
    zoomRegistrations: zoomPeople.length + 1,
    webhooksPosted,
    webhooksRefused,
    kpis,
    sentByMessage,
    tokyoRegistrants: registrants.length,
    tokyoFollowUps: followUps,
    emailsSent: [...sentByMessage.values()].reduce((sum, count) => sum + count, 0),
  };
}

/** Moves the virtual clock in 15-minute steps: parked sends released, the webinar sweep run, the senders drained. */
async function runClock(input: WebinarDemoInput, until: Date, log: (line: string) => void): Promise<void> {
  const { engine, clock } = input;
  for (let at = clock.now().getTime() + STEP_MS; at <= until.getTime(); at += STEP_MS) {
    clock.set(new Date(at));
    await engine.sweepWebinars();
    const released = await engine.releaseDeferred();
    if (released > 0) {
      await engine.workers.drain();
      const sent = (await mailbox(input.sesEndpoint)).slice(-released).map((email) => email.subject.slice(0, 40));
      log(`released ${released}: ${[...new Set(sent)].join(' | ')}`);
    }
  }
}

async function mailbox(sesEndpoint: string): Promise<Array<{ subject: string; destination: { to: string[] }; body: { html?: string } }>> {
  return ((await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: Array<{ subject: string; destination: { to: string[] }; body: { html?: string } }> }).emails;
}
