/**
 * The public half of the HTTP app, for the tracking function: only the routes behind email links
 * (open pixel, click redirect, unsubscribe, preference centre) and the health check. The ingest
 * API is not mounted, so nothing here can upsert a customer, and this function's role cannot
 * either. Mirrors http/app.ts's middleware and error handling (secure headers, JSON 404, logged
 * 500); http/ could export this shape itself (see the issue notes) and this file would go.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { trackingRoutes, type TrackingHttpDeps } from '../../http/tracking-routes.ts';

export function createTrackingApp(deps: TrackingHttpDeps): Hono {
  const app = new Hono();
  // Routes may set a header of their own (the open pixel allows cross-origin loading).
  app.use('*', secureHeaders({ overwrite: false }));
  app.get('/health', (c) => c.json({ ok: true }));
  app.route('/', trackingRoutes(deps));
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    deps.log?.({ level: 'ERROR', message: 'unhandled error in tracking app', error: error.name, route: c.req.routePath });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
