/**
 * Use case: a Zoom webhook taken off the webinar queue. The route checked its signature and that it
 * parses; here it is read again (the queue holds the raw body, as Zoom signed it) and processed.
 * A body that no longer parses (it cannot, unless the queue was written by someone else) is an
 * error for the dead-letter queue, not something to drop.
 */
import { z } from 'zod';
import { processZoomSignal, type ZoomSignalOutcome } from './process-zoom-signal.ts';
import type { WebinarDeps } from './register-for-webinar.ts';
import { zoomSignalOf } from './zoom-events.ts';

export const zoomDeliverySchema = z.strictObject({
  source: z.literal('zoom'),
  rawBody: z.string().min(2).max(256 * 1024),
  receivedAt: z.iso.datetime(),
});

export type ZoomDelivery = z.infer<typeof zoomDeliverySchema>;

/** The webinar queue: SQS in AWS, the in-process queue locally. */
export interface WebinarEventQueue {
  enqueue(delivery: ZoomDelivery): Promise<void>;
}

export async function processZoomDelivery(message: unknown, deps: WebinarDeps): Promise<ZoomSignalOutcome> {
  const delivery = zoomDeliverySchema.parse(typeof message === 'string' ? JSON.parse(message) : message);
  const receivedAt = new Date(delivery.receivedAt);
  return processZoomSignal(zoomSignalOf(JSON.parse(delivery.rawBody), receivedAt), receivedAt, deps);
}
