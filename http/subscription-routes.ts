/**
 * Unsubscribe and preference centre. `POST /u/<token>` is RFC 8058 one-click unsubscribe: no
 * login, no confirmation, any body (mail clients send `List-Unsubscribe=One-Click`); it suppresses
 * the address, which the sender checks before every send. `GET /u/<token>` only shows a page
 * (link scanners follow GETs) with a button that posts the same, and the topic choice.
 * `GET/POST /p/<token>` is the preference centre. The token is the capability: pages post back to
 * token URLs, so another site cannot forge a request without the token.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LOCALES, type Locale } from '../core/config/schema/common.ts';
import { signToken } from '../core/tracking/link-token.ts';
import { resolveSubscriber, savePreferences, unsubscribeFromAll, type Subscriber } from '../core/tracking/manage-subscription.ts';
import { preferencesPage, unsubscribePage, type SubscriberView } from './subscription-pages.ts';
import { NO_STORE, notValidLink, type TrackingHttpDeps } from './tracking-deps.ts';

export function subscriptionRoutes(deps: TrackingHttpDeps): Hono {
  const app = new Hono();
  app.use('/u/*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('request body too large', 413) }));
  app.use('/p/*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('request body too large', 413) }));

  app.get('/u/:token', async (c) => {
    const subscriber = await resolveSubscriber(c.req.param('token'), 'unsubscribe', deps);
    if (!subscriber) return notValidLink(c);
    return page(c, unsubscribePage(view(c, subscriber, deps), 'confirm'));
  });

  app.post('/u/:token', async (c) => {
    const subscriber = await resolveSubscriber(c.req.param('token'), 'unsubscribe', deps);
    if (!subscriber) return notValidLink(c);
    await unsubscribeFromAll(subscriber, deps);
    return page(c, unsubscribePage(view(c, { ...subscriber, suppressed: true }, deps), 'done'));
  });

  app.get('/p/:token', async (c) => {
    const subscriber = await resolveSubscriber(c.req.param('token'), 'preferences', deps);
    if (!subscriber) return notValidLink(c);
    return page(c, preferencesPage(view(c, subscriber, deps), false));
  });

  app.post('/p/:token', async (c) => {
    const subscriber = await resolveSubscriber(c.req.param('token'), 'preferences', deps);
    if (!subscriber) return notValidLink(c);
    const wanted = await wantedTopics(c);
    // Without the form's marker the body is not our form: saving it would opt out of everything.
    if (!wanted) return c.text('expected the preference form', 400);
    if (subscriber.suppressed) return page(c, preferencesPage(view(c, subscriber, deps), false));
    const saved = await savePreferences(subscriber, wanted, deps.topics, deps);
    return page(c, preferencesPage(view(c, { ...subscriber, contact: saved.contact }, deps), true));
  });

  return app;
}

/** The topics ticked in the preference form, or undefined when the body is not that form. */
async function wantedTopics(c: Context): Promise<string[] | undefined> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    return undefined;
  }
  if (body.form !== 'preferences') return undefined;
  const ticked = body.topic === undefined ? [] : Array.isArray(body.topic) ? body.topic : [body.topic];
  return ticked.filter((topic): topic is string => typeof topic === 'string');
}

function view(c: Context, subscriber: Subscriber, deps: TrackingHttpDeps): SubscriberView {
  const { claims, contact } = subscriber;
  const sign = (purpose: 'unsubscribe' | 'preferences') => signToken({ purpose, messageId: claims.messageId, runId: claims.runId, contactId: claims.contactId }, deps.tokenSecret);
  // Relative to this page (/u/<token> or /p/<token>), so they hold under an API Gateway stage path.
  return {
    locale: pageLocale(c, contact.locale),
    email: contact.email,
    suppressed: subscriber.suppressed,
    topics: deps.topics,
    topicsOptedOut: contact.topicsOptedOut,
    unsubscribeAction: `../u/${sign('unsubscribe')}`,
    preferencesAction: `../p/${sign('preferences')}`,
  };
}

function pageLocale(c: Context, contactLocale: Locale): Locale {
  const asked = c.req.query('lang');
  return (LOCALES as readonly string[]).includes(asked ?? '') ? (asked as Locale) : contactLocale;
}

function page(c: Context, markup: ReturnType<typeof unsubscribePage>) {
  c.header('Cache-Control', NO_STORE['Cache-Control']);
  c.header('X-Robots-Tag', 'noindex');
  return c.html(markup);
}
