/**
 * The one HTTP app, written once with Hono: served by a Node server locally and by
 * API Gateway + Lambda in AWS. Routes are grouped per capability: ingest API, and the links
 * inside emails (open pixel, click redirect, unsubscribe, preference centre) when `tracking`
 * is given; later capabilities (webhooks, dashboard) mount here too.
 */
import type { Hono } from 'hono';
import { finishApp, startApp } from './app-shell.ts';
import { mountIngestApi, type IngestApiDeps } from './ingest-app.ts';
import { trackingRoutes, type TrackingHttpDeps } from './tracking-routes.ts';
import type { SendingPauseStore } from '../core/ports.ts';
import { zoomWebhookRoutes, type ZoomWebhookDeps } from './zoom-webhook-routes.ts';
import { PAUSE_ALL, type SendingPause } from '../core/sending/sending-pause.ts';
import { dashboardRoutes, type DashboardHttpDeps } from './dashboard-routes.ts';

export type HttpAppDeps = IngestApiDeps & {
  /** The routes behind email links; absent, they answer 404. */
  tracking?: TrackingHttpDeps;
  /** The pause switch, shown on the home page so whoever opens the engine sees whether it sends. */
  pauses?: Pick<SendingPauseStore, 'listPauses'>;
  /** Zoom's webhooks (POST /webhooks/zoom); absent, 404. */
  zoomWebhook?: ZoomWebhookDeps;
  /** The dashboard under /dashboard (signed session); absent, 404. */
  dashboard?: DashboardHttpDeps;
};

export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = startApp();
  app.get('/', async (c) =>
    c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nurture engine</title></head>' +
        '<body><h1>Nurture engine</h1>' +
        (deps.pauses ? sendingState(await deps.pauses.listPauses()) : '') +
        '<ul>' +
        '<li><code>GET /health</code></li>' +
        '<li><code>POST /api/ingest/customers</code> (Authorization: Bearer &lt;ingest token&gt;)</li>' +
        '<li><code>GET /o/&lt;token&gt;.gif</code> open pixel, <code>GET /c/&lt;token&gt;</code> click redirect</li>' +
        '<li><code>GET|POST /u/&lt;token&gt;</code> unsubscribe (RFC 8058 one-click POST), <code>GET|POST /p/&lt;token&gt;</code> preference centre</li>' +
        '<li><code>GET|POST /w/r/&lt;token&gt;</code> one-click webinar registration, <code>GET /w/ics/&lt;token&gt;</code> calendar file, <code>GET /w/s/&lt;token&gt;</code> survey</li>' +
        '<li><code>GET|POST /s/&lt;token&gt;</code> survey answer (a GET shows the answer, the Save button POSTs it)</li>' +
        '<li><code>POST /webhooks/zoom</code> Zoom webhooks (signed), <code>POST /api/ingest/webinars/&lt;webinar&gt;/sessions/&lt;session&gt;/attendance</code> (bearer)</li>' +
        '<li><code>POST /api/ingest/usage</code> product usage for the health score (bearer)</li>' +
        '<li><code>POST /api/ingest/csql-outcomes</code> CSQL accepted / rejected and opportunities from the CRM (bearer)</li>' +
        '<li><code>POST /api/ingest/erasure</code> erase a person\'s data: <code>{ "email" }</code> or <code>{ "contactId" }</code> (bearer)</li>' +
        '<li><code>GET /dashboard</code> KPIs, webinars, CSQLs, deliverability and revenue (a login link from <code>npm run dashboard -- link</code>)</li>' +
        '</ul></body></html>',
    ),
  );
  mountIngestApi(app, deps);
  if (deps.dashboard) app.route('/dashboard', dashboardRoutes(deps.dashboard));
  if (deps.zoomWebhook) app.route('/webhooks', zoomWebhookRoutes(deps.zoomWebhook));
  if (deps.tracking) app.route('/', trackingRoutes(deps.tracking));
  return finishApp(app, 'HTTP app', (entry) => console.error(JSON.stringify(entry)));
}

const escapeText = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** "Sending: active", or each pause with its reason and since when (npm run pause / resume). */
function sendingState(pauses: readonly SendingPause[]): string {
  if (pauses.length === 0) return '<p id="sending-state"><strong>Sending: active</strong> (pause with <code>npm run pause</code>)</p>';
  const items = pauses.map((pause) => `<li>${pause.scope === PAUSE_ALL ? 'all sending' : `<code>${escapeText(pause.scope)}</code>`} since ${escapeText(pause.pausedAt)}${pause.pausedBy ? ` by ${escapeText(pause.pausedBy)}` : ''}: ${escapeText(pause.reason)}</li>`);
  return `<div id="sending-state"><p><strong>Sending: paused</strong> (resume with <code>npm run resume</code>)</p><ul>${items.join('')}</ul></div>`;
}
