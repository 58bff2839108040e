/**
 * The public half of the HTTP app: only the routes behind email links (open pixel, click
 * redirect, unsubscribe, preference centre) and the health check, without the ingest API, so a
 * function serving it (and its role) cannot upsert a customer. The local runtime serves the
 * whole app (app.ts); in AWS the tracking function serves this one.
 */
import type { Hono } from 'hono';
import { finishApp, startApp } from './app-shell.ts';
import { trackingRoutes, type TrackingHttpDeps } from './tracking-routes.ts';

export function createTrackingApp(deps: TrackingHttpDeps): Hono {
  const app = startApp();
  app.route('/', trackingRoutes(deps));
  return finishApp(app, 'tracking app', deps.log ?? (() => undefined));
}
