/**
 * The links inside emails: the open pixel (`GET /o/<token>.gif`), the click redirect
 * (`GET /c/<token>`, judged in the context of the recipient's earlier clicks and opens), the
 * honeypot link's landing page, and the unsubscribe and preference pages (`/u/<token>`, `/p/<token>`,
 * see subscription-routes.ts). Tokens are HMAC-signed; a tampered or unknown one gets a neutral
 * answer (the same image, a plain "not valid" page or the configured homepage) and writes nothing.
 */
import { Hono } from 'hono';
import { recordClick, resolveClick } from '../core/tracking/follow-click.ts';
import { HONEYPOT_LANDING_PATH } from '../core/tracking/honeypot-link.ts';
import { recordOpen } from '../core/tracking/record-open.ts';
import { requestFacts } from './request-facts.ts';
import { subscriptionRoutes } from './subscription-routes.ts';
import { NO_STORE, notValidLink, type TrackingHttpDeps } from './tracking-deps.ts';
import { webinarLinkRoutes } from './webinar-link-routes.ts';
import { surveyRoutes } from './survey-routes.ts';

export type { TrackingHttpDeps } from './tracking-deps.ts';

/** A 1x1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function trackingRoutes(deps: TrackingHttpDeps): Hono {
  const app = new Hono();
  const log = deps.log ?? ((entry) => console.error(JSON.stringify(entry)));

  // Always the image, whatever the token: an email client must never show a broken image,
  // and the answer must not tell a genuine token from a made-up one.
  app.get('/o/:file', async (c) => {
    const file = c.req.param('file');
    const token = file.endsWith('.gif') ? file.slice(0, -'.gif'.length) : file;
    try {
      await recordOpen(token, requestFacts(c, deps.clientIp), deps);
    } catch (error) {
      // Failing the image would lose the open all the same (mail clients do not retry images).
      log({ level: 'ERROR', message: 'open not recorded', error: (error as Error).message });
    }
    return c.body(new Uint8Array(PIXEL), 200, {
      'Content-Type': 'image/gif',
      'Content-Length': String(PIXEL.length),
      // Webmail pages on other origins load this image.
      'Cross-Origin-Resource-Policy': 'cross-origin',
      ...NO_STORE,
    });
  });

  app.get('/c/:token', async (c) => {
    const click = await resolveClick(c.req.param('token'), deps);
    if (!click) return notValidLink(c, deps.homepageUrl);
    try {
      const recorded = await recordClick(click, requestFacts(c, deps.clientIp), deps);
      if (recorded.outcome !== 'not-sent' && recorded.contextUnavailable !== undefined) {
        // Recorded, but judged by the request alone: scanners that pass as browsers count as people until this is fixed.
        log({ level: 'ERROR', message: 'click judged without the recipient\'s earlier clicks and opens', messageId: click.messageId, runId: click.runId, contactId: click.contactId, error: recorded.contextUnavailable });
      }
    } catch (error) {
      // The person still reaches the page; the click is lost either way, so say so loudly.
      log({ level: 'ERROR', message: 'click not recorded', messageId: click.messageId, runId: click.runId, contactId: click.contactId, error: (error as Error).message });
    }
    c.header('Cache-Control', NO_STORE['Cache-Control']);
    c.header('X-Robots-Tag', 'noindex');
    return c.redirect(click.target, 302);
  });

  // Where the invisible honeypot link leads: a scanner following it lands on a real page, not a
  // 404. No person sees that link; one who reaches this page anyway is told there is nothing to do.
  app.get(HONEYPOT_LANDING_PATH, (c) => {
    c.header('Cache-Control', NO_STORE['Cache-Control']);
    c.header('X-Robots-Tag', 'noindex');
    return c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Email links</title></head>' +
        '<body><p>This address carries the links in our emails. There is nothing to do here.</p>' +
        '<p lang="ja">このアドレスはメール内のリンク用です。このページでの操作は必要ありません。</p></body></html>',
    );
  });

  app.route('/', subscriptionRoutes(deps));
  if (deps.webinarLinks) app.route('/w', webinarLinkRoutes(deps.webinarLinks));
  if (deps.surveyLinks) app.route('/s', surveyRoutes(deps.surveyLinks));
  return app;
}
