/**
 * The one HTTP app, written once with Hono: served by a Node server locally and by
 * API Gateway + Lambda in AWS. Routes are grouped per capability; later capabilities
 * (tracking, unsubscribe, webhooks, dashboard) mount here too.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { ingestRoutes, type IngestDeps } from './ingest-routes.ts';

export type HttpAppDeps = IngestDeps;

export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/', (c) =>
    c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nurture engine</title></head>' +
        '<body><h1>Nurture engine</h1><ul>' +
        '<li><code>GET /health</code></li>' +
        '<li><code>POST /api/ingest/customers</code> (Authorization: Bearer &lt;ingest token&gt;)</li>' +
        '</ul></body></html>',
    ),
  );
  app.route('/api/ingest', ingestRoutes(deps));
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    console.error(JSON.stringify({ level: 'ERROR', message: 'unhandled error in HTTP app', error: error.name, path: c.req.path }));
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
