/**
 * The webinar links inside emails. `GET /w/r/<token>` shows the one-click registration page and
 * `POST` registers (the engine knows who the token is for: no form); link scanners follow every
 * GET, so a GET never registers. After registering, the page asks the webinar's optional question
 * (`POST` with form=answer stores the answer with the registration). `GET /w/ics/<token>` is the
 * session as an .ics file, current after a reschedule. `GET /w/s/<token>` records a survey click
 * (people only: scanners are recognised as for clicks) and redirects to the survey.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Locale } from '../core/config/schema/common.ts';
import type { Contact } from '../core/customers/contact.ts';
import { verifyToken, type TokenClaims } from '../core/tracking/link-token.ts';
import { classifyClick } from '../core/tracking/machine-traffic.ts';
import { calendarInvite } from '../core/webinars/calendar-invite.ts';
import { registerForWebinar, type WebinarDeps } from '../core/webinars/register-for-webinar.ts';
import { findSession, initialSessionState, type ConfiguredSession } from '../core/webinars/webinar-catalog.ts';
import { formatSessionTime, personalLink, venueText } from '../core/webinars/webinar-message.ts';
import type { SessionState } from '../core/webinars/webinar.ts';
import { requestFacts, type ClientIpResolver } from './request-facts.ts';
import { registrationPage, type RegistrationState } from './webinar-pages.ts';
import { NO_STORE, notValidLink } from './tracking-deps.ts';

export type WebinarLinkDeps = WebinarDeps & {
  customers: WebinarDeps['customers'] & { getContact(contactId: string): Promise<Contact | undefined> };
  tokenSecret: string;
  /** Public base URL of the app (for the calendar link on the page). */
  baseUrl: string;
  clientIp?: ClientIpResolver;
};

interface Resolved {
  claims: TokenClaims;
  contact: Contact;
  configured: ConfiguredSession;
  state: SessionState;
}

async function resolve(token: string, purpose: TokenClaims['purpose'], deps: WebinarLinkDeps): Promise<Resolved | undefined> {
  const claims = verifyToken(token, deps.tokenSecret);
  if (claims?.purpose !== purpose) return undefined;
  const configured = findSession(deps.config, claims.messageId, claims.runId);
  if (!configured) return undefined;
  const contact = await deps.customers.getContact(claims.contactId);
  if (!contact) return undefined;
  const state = (await deps.webinars.getSession(configured.webinar.id, configured.session.id)) ?? initialSessionState(configured);
  return { claims, contact, configured, state };
}

export function webinarLinkRoutes(deps: WebinarLinkDeps): Hono {
  const app = new Hono();
  app.use('/r/*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('request body too large', 413) }));

  app.get('/r/:token', async (c) => {
    const resolved = await resolve(c.req.param('token'), 'register', deps);
    if (!resolved) return notValidLink(c);
    const registered = await deps.webinars.getRegistrant(resolved.configured.webinar.id, resolved.configured.session.id, resolved.contact.email);
    return page(c, resolved, registered ? 'registered' : openState(resolved, deps) ?? 'offer', deps);
  });

  app.post('/r/:token', async (c) => {
    const resolved = await resolve(c.req.param('token'), 'register', deps);
    if (!resolved) return notValidLink(c);
    let body: Record<string, unknown>;
    try {
      body = await c.req.parseBody();
    } catch {
      return c.text('expected the registration form', 400);
    }
    const { configured, contact } = resolved;
    if (body.form === 'answer') {
      const answer = typeof body.answer === 'string' ? body.answer.trim().slice(0, 2000) : '';
      const question = configured.webinar.registration.question?.[localeOf(c, contact)] ?? configured.webinar.registration.question?.en;
      if (answer && question) await deps.webinars.addAnswers(configured.webinar.id, configured.session.id, contact.email, [{ question, answer }]);
      return page(c, resolved, 'answered', deps);
    }
    if (body.form !== 'register') return c.text('expected the registration form', 400);
    const closed = openState(resolved, deps);
    if (closed) return page(c, resolved, closed, deps);
    const outcome = await registerForWebinar({ webinarId: configured.webinar.id, sessionId: configured.session.id, email: contact.email, source: 'link' }, deps);
    if (outcome.outcome === 'session-over') return page(c, resolved, 'closed', deps);
    if (outcome.outcome === 'cancelled') return page(c, resolved, 'cancelled', deps);
    return page(c, resolved, 'registered', deps);
  });

  app.get('/ics/:token', async (c) => {
    const resolved = await resolve(c.req.param('token'), 'calendar', deps);
    if (!resolved) return notValidLink(c);
    const { configured, contact, state } = resolved;
    const locale = localeOf(c, contact);
    const sender = deps.config.senders.identities.find((identity) => identity.id === configured.policy.sender);
    const location = configured.session.venue ? venueText(configured.session.venue, locale) : configured.session.joinUrl;
    const ics = calendarInvite({
      uid: `${configured.webinar.id}.${configured.session.id}@${sender?.email.split('@')[1] ?? 'nurture-engine'}`,
      sequence: state.revision,
      method: state.status === 'cancelled' ? 'CANCEL' : 'PUBLISH',
      title: configured.webinar.title[locale] ?? configured.webinar.id,
      ...(configured.webinar.description?.[locale] ? { description: configured.webinar.description[locale] } : {}),
      startsAt: new Date(state.startsAt),
      endsAt: new Date(state.endsAt),
      ...(location ? { location } : {}),
      ...(configured.session.joinUrl ? { url: configured.session.joinUrl } : {}),
      ...(sender ? { organizer: { name: sender.displayName[locale] ?? sender.email, email: sender.email } } : {}),
      now: deps.clock.now(),
    });
    return c.body(ics, 200, {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': `attachment; filename="${configured.webinar.id}-${configured.session.id}.ics"`,
      ...NO_STORE,
    });
  });

  app.get('/s/:token', async (c) => {
    const resolved = await resolve(c.req.param('token'), 'survey', deps);
    const surveyUrl = resolved ? (resolved.configured.session.surveyUrl ?? resolved.configured.policy.followUps.surveyUrl) : undefined;
    if (!resolved || !surveyUrl) return notValidLink(c);
    const { configured, contact } = resolved;
    const now = deps.clock.now();
    const verdict = classifyClick(requestFacts(c, deps.clientIp), { at: now, sentAt: undefined });
    const registrant = await deps.webinars.getRegistrant(configured.webinar.id, configured.session.id, contact.email);
    // People only, once per contact and session: a scanner's fetch is not an answer to the survey.
    if (!verdict.machine && registrant?.contactId && registrant.accountId) {
      await deps.engagement.recordEvent({
        eventId: `webinar-survey:${configured.webinar.id}:${configured.session.id}:${contact.contactId}`,
        type: 'webinar-survey',
        contactId: contact.contactId,
        accountId: registrant.accountId,
        occurredAt: now.toISOString(),
        campaignId: configured.webinar.id,
        runId: configured.session.id,
        machine: false,
        detail: {},
      });
    }
    c.header('Cache-Control', NO_STORE['Cache-Control']);
    return c.redirect(surveyUrl, 302);
  });
  return app;
}

/** Closed or cancelled, or undefined while registration is open. */
function openState(resolved: Resolved, deps: WebinarLinkDeps): RegistrationState | undefined {
  if (resolved.state.status === 'cancelled') return 'cancelled';
  return deps.clock.now().getTime() >= Date.parse(resolved.state.endsAt) ? 'closed' : undefined;
}

function localeOf(c: Context, contact: Contact): Locale {
  const asked = c.req.query('lang');
  return asked === 'ja' || asked === 'en' ? asked : contact.locale;
}

function page(c: Context, resolved: Resolved, state: RegistrationState, deps: WebinarLinkDeps) {
  const { configured, contact } = resolved;
  const locale = localeOf(c, contact);
  const calendar = personalLink('calendar', configured, contact, deps);
  c.header('Cache-Control', NO_STORE['Cache-Control']);
  c.header('X-Robots-Tag', 'noindex');
  return c.html(
    registrationPage(
      {
        locale,
        title: configured.webinar.title[locale] ?? configured.webinar.id,
        startsAtLocal: formatSessionTime(new Date(resolved.state.startsAt), new Date(resolved.state.endsAt), locale, contact.timeZone),
        ...(configured.session.venue ? { venue: venueText(configured.session.venue, locale) } : {}),
        ...(configured.webinar.registration.question?.[locale] ? { question: configured.webinar.registration.question[locale] } : {}),
        action: '',
        calendarUrl: `../ics/${calendar.slice(calendar.lastIndexOf('/') + 1)}`,
      },
      state,
    ),
  );
}
