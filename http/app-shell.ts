/**
 * What every HTTP app of the engine shares, whichever routes it mounts: secure headers (a route
 * may set its own, e.g. the open pixel's cross-origin policy), `/health`, a JSON 404, and a 500
 * that logs the route pattern (never the path: paths carry capability tokens).
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';

export type AppLog = (entry: Record<string, unknown>) => void;

/** An app with the shared middleware and health check; mount routes on it, then `finishApp`. */
export function startApp(): Hono {
  const app = new Hono();
  app.use('*', secureHeaders({ overwrite: false }));
  app.get('/health', (c) => c.json({ ok: true }));
  return app;
}

/** Adds the JSON 404 and the logged 500 (after the routes, as Hono requires). */
export function finishApp(app: Hono, name: string, log: AppLog): Hono {
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log({ level: 'ERROR', message: `unhandled error in ${name}`, error: error.name, route: c.req.routePath });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
