/**
 * `POST /api/ingest/csql-outcomes`: what the CRM says back about the accounts the engine handed to
 * sales (authenticated with the ingest token, like the customer and usage ingest). Body:
 * `{ "outcomes": [ { "accountId", "type", "at", "opportunityId"?, "reason"?, "expansionMrr"?, "currency"?, "eventId"? } ] }`
 * with `type` one of csql-accepted, csql-rejected (reason required), opportunity-opened,
 * opportunity-won (expansionMrr + currency), opportunity-lost; at most 1000. All or nothing: every
 * outcome is checked first (shape, known account) and a request with any bad one gets 400 naming
 * each bad field and writes nothing. Idempotent: the same outcomes again store nothing new and
 * leave the pipeline as it was. docs/csql-event.md documents it.
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { mapBounded } from '../core/bounded-parallel.ts';
import type { Clock, CustomerStore, PipelineStore } from '../core/ports.ts';
import { formatOutcomeProblems, parseOutcomeBody, type OutcomeProblem } from '../core/qualification/crm-outcome.ts';

export interface CrmOutcomeIngestDeps {
  pipeline: Pick<PipelineStore, 'recordOutcome'>;
  customers: Pick<CustomerStore, 'getAccounts'>;
  clock: Clock;
}

const WRITES_IN_FLIGHT = 8;

export function crmOutcomeRoutes(deps: CrmOutcomeIngestDeps & { ingestToken: string }): Hono {
  const app = new Hono();
  app.use('*', bearerAuth({ token: deps.ingestToken }));
  app.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json({ error: 'request body is larger than 1 MiB: split the batch' }, 413) }));
  app.post('/', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'request body must be JSON: { "outcomes": [ { "accountId", "type", "at" }, ... ] }' }, 400);
    }
    const parsed = parseOutcomeBody(body, deps.clock.now());
    if (!parsed.ok) return c.json({ error: formatOutcomeProblems(parsed.problems), problems: parsed.problems }, 400);
    const known = await deps.customers.getAccounts([...new Set(parsed.outcomes.map((outcome) => outcome.accountId))]);
    const unknown: OutcomeProblem[] = parsed.outcomes.flatMap((outcome, index) => (known.has(outcome.accountId) ? [] : [{ field: `outcomes[${index}].accountId`, message: `no account '${outcome.accountId}': import it first` }]));
    if (unknown.length > 0) return c.json({ error: formatOutcomeProblems(unknown), problems: unknown }, 400);
    const stored = await mapBounded(parsed.outcomes, WRITES_IN_FLIGHT, (outcome) => deps.pipeline.recordOutcome(outcome));
    const recorded = stored.filter(Boolean).length;
    return c.json({ outcomes: parsed.outcomes.length, recorded, duplicates: parsed.outcomes.length - recorded });
  });
  return app;
}
