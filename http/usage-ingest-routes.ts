/**
 * `POST /api/ingest/usage`: product-usage figures from the product or a data pipeline, for the
 * DEAR health score (authenticated with the ingest token, like the customer ingest). Body:
 * `{ "usage": [ { "accountId", "at", "metrics": { "<declared metric>": number }, "contactId"?, "eventId"? } ] }`,
 * at most 1000 records. All or nothing: every record is checked first (shape, declared metrics,
 * known account and contact), and a request with any bad record gets 400 naming each bad field
 * and writes nothing. Idempotent: the same records again store nothing new.
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import type { Clock } from '../core/ports.ts';
import type { UsageRecord } from '../core/scoring/usage.ts';
import { formatUsageProblems, ingestUsage, parseUsageBody, type UsageIntakeDeps } from '../core/scoring/usage-event.ts';

export interface UsageIngestDeps extends UsageIntakeDeps {
  clock: Clock;
  /** The usage metrics the config declares (`config.scoring.health.metrics`); records naming others are refused. */
  metrics: readonly string[];
  /**
   * Runs after the records are stored, with every accepted record (new or already stored, so a
   * retried request finishes what a failed one started): e.g. record `usageEngagementEvents(records)`
   * through the engagement path, which stores each event once.
   */
  onRecorded?: (records: readonly UsageRecord[]) => Promise<void>;
}

export function usageIngestRoutes(deps: UsageIngestDeps & { ingestToken: string }): Hono {
  const app = new Hono();
  app.use('*', bearerAuth({ token: deps.ingestToken }));
  app.use('*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => c.json({ error: 'request body is larger than 2 MiB: split the batch' }, 413) }));
  app.post('/', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'request body must be JSON: { "usage": [ { "accountId", "at", "metrics" }, ... ] }' }, 400);
    }
    const parsed = parseUsageBody(body, { metrics: deps.metrics, now: deps.clock.now() });
    if (!parsed.ok) return c.json({ error: formatUsageProblems(parsed.problems), problems: parsed.problems }, 400);
    const intake = await ingestUsage(parsed.usage, deps);
    if (!intake.ok) return c.json({ error: formatUsageProblems(intake.problems), problems: intake.problems }, 400);
    await deps.onRecorded?.(intake.records);
    return c.json({ records: intake.records.length, stored: intake.stored, duplicates: intake.duplicates });
  });
  return app;
}
