/**
 * What the dispatcher accepts from EventBridge Scheduler: the webinar sweep and the outbox publisher
 * are among its jobs (each passes the parse and goes on to build the function's dependencies, which
 * fail here for want of a Lambda environment), and anything else is refused before any work. The inputs are the exact
 * strings the schedules send (infra/campaign-schedules.ts).
 */
import { describe, expect, it } from 'vitest';
import { ADVANCE_SEQUENCES_INPUT, PUBLISH_EVENTS_INPUT, QUALIFY_ACCOUNTS_INPUT, RELEASE_DEFERRED_INPUT, WEBINAR_SWEEP_INPUT } from '../../../infra/campaign-schedules.ts';
import { handler } from '../../../lambdas/dispatcher/handler.ts';

const REACHED_THE_RUNTIME = /Lambda environment is incomplete: TABLE_NAME/;

describe('dispatcher jobs', () => {
  it.each([
    ['webinar sweep', WEBINAR_SWEEP_INPUT],
    ['deferred-send release', RELEASE_DEFERRED_INPUT],
    ['sequence steps', ADVANCE_SEQUENCES_INPUT],
    ['outbox publisher', PUBLISH_EVENTS_INPUT],
    ['CSQL qualification', QUALIFY_ACCOUNTS_INPUT],
  ])('accepts the %s schedule input', async (_name, input) => {
    await expect(handler(JSON.parse(input))).rejects.toThrow(REACHED_THE_RUNTIME);
  });

  it('accepts a dispatch-shard task from its SQS queue', async () => {
    const task = { campaignId: 'monthly-newsletter', scheduledFor: '2026-12-01T00:00:00.000Z', shard: 3 };
    await expect(handler({ Records: [{ messageId: 'm-1', body: JSON.stringify(task) }] })).rejects.toThrow(REACHED_THE_RUNTIME);
  });

  it.each([{ job: 'webinar' }, { job: 'sweep-webinars' }, { job: 'campaign', campaignId: 'x' }, { job: 'publish' }, { job: 'qualify-accounts' }, 'webinars', null])('refuses %j before doing any work', async (input) => {
    const attempt = handler(input);
    await expect(attempt).rejects.toThrow('invalid dispatcher event');
  });
});
