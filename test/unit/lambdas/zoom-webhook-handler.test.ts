/**
 * The Zoom webhook function's app, as API Gateway hands it requests: a signed webhook under
 * /webhooks/zoom is queued with its raw body untouched and answered 200; a forged one is refused
 * and queues nothing; Zoom's URL-validation challenge is answered from the secret token; a queue
 * that refuses makes a 500 (Zoom resends) whose log line names no address; nothing else is served.
 * And the function refuses to start without its two variables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WebinarEventQueue, ZoomDelivery } from '../../../core/webinars/zoom-delivery.ts';
import { signAsZoom, zoomUrlValidationAnswer } from '../../../core/webinars/zoom-webhook-signature.ts';
import { readZoomWebhookEnvironment } from '../../../lambdas/zoom-webhook/composition.ts';
import { createZoomWebhookApp } from '../../../lambdas/zoom-webhook/handler.ts';

const SECRET = 'zoom-secret-token-for-unit-tests';
const NOW = new Date('2026-11-21T10:03:45.678Z');
const fixture = (event: string) => readFileSync(join(import.meta.dirname, '../../fixtures/zoom', `${event}.json`), 'utf8');

function appWith(queue: WebinarEventQueue) {
  const logs: Array<Record<string, unknown>> = [];
  const app = createZoomWebhookApp({ secretToken: SECRET, queue, clock: { now: () => NOW }, log: (entry) => void logs.push(entry) });
  return { app, logs };
}

function recordingQueue(): WebinarEventQueue & { deliveries: ZoomDelivery[] } {
  const deliveries: ZoomDelivery[] = [];
  return { deliveries, enqueue: async (delivery) => void deliveries.push(delivery) };
}

const post = (app: ReturnType<typeof appWith>['app'], path: string, rawBody: string, secret = SECRET) => {
  const { timestamp, signature } = signAsZoom(rawBody, secret, NOW);
  return app.request(path, { method: 'POST', body: rawBody, headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature } });
};

describe('Zoom webhook app', () => {
  it('queues a signed webhook with its raw body as Zoom sent it, and answers 200', async () => {
    const queue = recordingQueue();
    const rawBody = fixture('webinar.registration_created');
    const response = await post(appWith(queue).app, '/webhooks/zoom', rawBody);
    expect(response.status).toBe(200);
    expect(queue.deliveries).toEqual([{ source: 'zoom', rawBody, receivedAt: NOW.toISOString() }]);
  });

  it('refuses a webhook signed with another secret (401), queueing nothing, and logs the reason without the body', async () => {
    const queue = recordingQueue();
    const { app, logs } = appWith(queue);
    const response = await post(app, '/webhooks/zoom', fixture('webinar.registration_created'), 'someone-else-s-secret-token');
    expect(response.status).toBe(401);
    expect(queue.deliveries).toEqual([]);
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toMatch(/@|Hanako/i);
  });

  it('answers the URL-validation challenge with the token encrypted by the secret, queueing nothing', async () => {
    const queue = recordingQueue();
    const response = await post(appWith(queue).app, '/webhooks/zoom', fixture('endpoint.url_validation'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(zoomUrlValidationAnswer('qgg8vlvZRS6UYooatFL8Aw', SECRET));
    expect(queue.deliveries).toEqual([]);
  });

  it('answers 500 when the queue refuses (Zoom resends), logging the route and the error name only', async () => {
    const { app, logs } = appWith({ enqueue: async () => Promise.reject(Object.assign(new Error('Access to the resource https://sqs... is denied'), { name: 'AccessDenied' })) });
    const response = await post(app, '/webhooks/zoom', fixture('webinar.participant_joined'));
    expect(response.status).toBe(500);
    expect(logs).toEqual([expect.objectContaining({ level: 'ERROR', error: 'AccessDenied', route: '/webhooks/zoom' })]);
    expect(JSON.stringify(logs)).not.toContain('@');
  });

  it('serves the webhook under /webhooks only: the health check, and 404 for anything else', async () => {
    const queue = recordingQueue();
    const { app } = appWith(queue);
    expect((await app.request('/health')).status).toBe(200);
    expect((await post(app, '/zoom', fixture('webinar.started'))).status).toBe(404);
    expect((await app.request('/webhooks/zoom')).status).toBe(404);
    expect((await app.request('/o/token.gif')).status).toBe(404);
    expect(queue.deliveries).toEqual([]);
  });
});

describe('Zoom webhook environment', () => {
  it('names every missing or malformed variable', () => {
    expect(() => readZoomWebhookEnvironment({ WEBINAR_QUEUE_URL: 'not a url' })).toThrow(/ZOOM_SECRET_ARN.*WEBINAR_QUEUE_URL|WEBINAR_QUEUE_URL.*ZOOM_SECRET_ARN/);
    expect(readZoomWebhookEnvironment({ ZOOM_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:zoom', WEBINAR_QUEUE_URL: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/q' })).toEqual({
      ZOOM_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:zoom',
      WEBINAR_QUEUE_URL: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/q',
    });
  });
});
