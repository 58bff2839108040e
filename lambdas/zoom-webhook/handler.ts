/**
 * The Zoom webhook function on API Gateway (HTTP API) + Lambda: `POST /webhooks/zoom` alone, the
 * webhook routes (http/zoom-webhook-routes.ts) in the shared app shell. They verify Zoom's signature
 * over the raw body, answer the URL-validation challenge, and put the delivery on the webinar queue;
 * the webinar events function processes it. A 500 (the queue refused) makes Zoom resend.
 */
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { finishApp, startApp } from '../../http/app-shell.ts';
import { zoomWebhookRoutes, type ZoomWebhookDeps } from '../../http/zoom-webhook-routes.ts';
import { coreLog } from '../runtime/core-log.ts';
import { logger, zoomWebhookRuntime } from './composition.ts';

/** The app this function serves: the shell's health check, 404 and logged 500, and the Zoom route under /webhooks. */
export function createZoomWebhookApp(deps: ZoomWebhookDeps): Hono {
  const app = startApp();
  app.route('/webhooks', zoomWebhookRoutes(deps));
  return finishApp(app, 'Zoom webhook app', deps.log ?? (() => undefined));
}

const log = coreLog(logger, 'zoom-webhook');

/** Rebuilt when the secret token changes (ops put a new one): the routes take the token as a value. */
let served: { secretToken: string; lambdaHandler: ReturnType<typeof handle> } | undefined;

export const handler: ReturnType<typeof handle> = async (event, context) => {
  const runtime = await zoomWebhookRuntime();
  const secretToken = await runtime.secretToken();
  if (served?.secretToken !== secretToken) {
    served = { secretToken, lambdaHandler: handle(createZoomWebhookApp({ secretToken, queue: runtime.queue, clock: systemClock, log })) };
  }
  return served.lambdaHandler(event, context);
};
