/**
 * `POST /webhooks/zoom`: Zoom's webinar webhooks. It does the minimum, so Zoom's 3-second answer
 * limit holds under load: read the raw body (at most 256 KiB), check `x-zm-signature` (HMAC-SHA256
 * of `v0:{timestamp}:{raw body}` with the webhook secret token) and the timestamp's age, answer
 * the `endpoint.url_validation` challenge, check that the payload is one Zoom sends, and hand the
 * raw body to the webinar queue. A bad, missing or stale signature gets 401; a malformed payload
 * 400; neither is queued or recorded. Processing (idempotent: Zoom resends) is the queue consumer's.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Clock } from '../core/ports.ts';
import type { WebinarEventQueue } from '../core/webinars/zoom-delivery.ts';
import { verifyZoomSignature, zoomUrlValidationAnswer } from '../core/webinars/zoom-webhook-signature.ts';
import { ZoomPayloadError, zoomSignalOf } from '../core/webinars/zoom-events.ts';

export interface ZoomWebhookDeps {
  /** The Zoom app's secret token (Secrets Manager in AWS, `.local/zoom-webhook-secret` locally). */
  secretToken: string;
  queue: WebinarEventQueue;
  clock: Clock;
  log?: (entry: Record<string, unknown>) => void;
}

export const MAX_ZOOM_BODY_BYTES = 256 * 1024;

export function zoomWebhookRoutes(deps: ZoomWebhookDeps): Hono {
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: MAX_ZOOM_BODY_BYTES, onError: (c) => c.json({ error: 'body too large' }, 413) }));
  app.post('/zoom', async (c) => {
    const rawBody = await c.req.text();
    const now = deps.clock.now();
    const check = verifyZoomSignature({ rawBody, timestamp: c.req.header('x-zm-request-timestamp'), signature: c.req.header('x-zm-signature') }, deps.secretToken, now);
    if (!check.ok) {
      deps.log?.({ level: 'WARN', message: 'zoom webhook refused', reason: check.reason });
      return c.json({ error: 'signature not valid' }, 401);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return c.json({ error: 'body is not JSON' }, 400);
    }
    let signal;
    try {
      signal = zoomSignalOf(parsed, now);
    } catch (error) {
      if (!(error instanceof ZoomPayloadError)) throw error;
      deps.log?.({ level: 'WARN', message: 'zoom webhook malformed', error: error.message });
      return c.json({ error: error.message }, 400);
    }
    if (signal.kind === 'url-validation') return c.json(zoomUrlValidationAnswer(signal.plainToken, deps.secretToken));
    if (signal.kind === 'ignored') return c.json({ ok: true, ignored: signal.reason });
    await deps.queue.enqueue({ source: 'zoom', rawBody, receivedAt: now.toISOString() });
    return c.json({ ok: true });
  });
  return app;
}
