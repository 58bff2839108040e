/**
 * `POST /api/ingest/erasure`: a right-to-erasure request from the CRM or a privacy tool
 * (authenticated with the ingest token, like the rest of the ingest API). Body: `{ "email": "..." }`
 * or `{ "contactId": "..." }`. Answers 200 with what was removed per item kind (counts, never the
 * data itself), 404 when no item names the person (nothing changed), 400 for a body that names
 * nobody. Idempotent: a retried request answers `nothing-left` (by address) or 404 (by contact id).
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { erasePerson, personIdentifierSchema, type ErasePersonDeps, type ErasureResult } from '../core/privacy/erase-person.ts';

const BODY_HELP = 'request body must be JSON: { "email": "<address>" } or { "contactId": "<id>" }';

export interface ErasureHttpDeps extends ErasePersonDeps {
  /** Told every outcome (counts only, never the person), e.g. for the function's log: an erasure is an auditable act. */
  onErasure?: (result: ErasureResult) => void;
}

export function erasureRoutes(deps: ErasureHttpDeps & { ingestToken: string }): Hono {
  const app = new Hono();
  app.use('*', bearerAuth({ token: deps.ingestToken }));
  app.use('*', bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.json({ error: `request body is larger than 4 KiB: ${BODY_HELP}` }, 413) }));
  app.post('/', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: BODY_HELP }, 400);
    }
    const parsed = personIdentifierSchema.safeParse(body);
    // The issues name the field only: a rejected address is not echoed back into logs or proxies.
    if (!parsed.success) return c.json({ error: `${BODY_HELP}; ${parsed.error.issues.map((issue) => issue.path.join('.') || 'body').join(', ')} is not valid` }, 400);
    const result = await erasePerson(parsed.data, deps);
    deps.onErasure?.(result);
    if (result.outcome === 'unknown') return c.json({ outcome: result.outcome, error: result.message }, 404);
    return c.json(result);
  });
  return app;
}
