/**
 * The Zoom webhook function's composition root: the webinar queue (SQS) and the Zoom app's secret
 * token (Secrets Manager). Nothing else: no table, no config, no renderer, so the function that
 * must answer Zoom within 3 seconds starts fast and can do nothing but verify and enqueue.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { SqsWebinarQueue } from '../../adapters/aws/sqs-webinar-queue.ts';
import type { WebinarEventQueue } from '../../core/webinars/zoom-delivery.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { readSecret } from '../runtime/secrets.ts';

/** Service name from POWERTOOLS_SERVICE_NAME (set in infra/). */
export const logger = new Logger();

/** This function's own variables (set in infra/webinar-events.ts). */
const zoomWebhookEnvironmentSchema = z.object({
  /** Secrets Manager secret holding the Zoom app's secret token (put there by ops: docs/deploy.md). */
  ZOOM_SECRET_ARN: z.string().min(1),
  WEBINAR_QUEUE_URL: z.url(),
});

export type ZoomWebhookEnvironment = z.infer<typeof zoomWebhookEnvironmentSchema>;

export function readZoomWebhookEnvironment(env: NodeJS.ProcessEnv): ZoomWebhookEnvironment {
  const parsed = zoomWebhookEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Lambda environment is incomplete: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

export interface ZoomWebhookRuntime {
  queue: WebinarEventQueue;
  /**
   * Read per request, cached 5 minutes by Powertools Parameters: ops put the token after the deploy
   * (and again when it is regenerated in Zoom), and warm containers must pick it up without a redeploy.
   */
  secretToken: () => Promise<string>;
}

export const zoomWebhookRuntime = onceBuilt(async (): Promise<ZoomWebhookRuntime> => {
  const env = readZoomWebhookEnvironment(process.env);
  return {
    queue: new SqsWebinarQueue(new SQSClient({}), env.WEBINAR_QUEUE_URL),
    secretToken: () => readSecret(env.ZOOM_SECRET_ARN, 'Zoom webhook secret token'),
  };
});
