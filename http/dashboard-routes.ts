/**
 * The dashboard's routes, mounted at /dashboard by http/app.ts:
 *   GET /login?token=   exchanges a login link's token for the session cookie, then redirects to the page
 *   GET /               the page (ja or en: ?lang=, else Accept-Language)
 *   GET /api/view       the same numbers as JSON
 *   GET /assets/*.js    Chart.js and the page script
 * Everything but the login needs the session (http/dashboard-auth.ts); without it a 401 page says
 * how to get a link. Reads only: no route here writes to the store.
 */
import { Hono } from 'hono';
import type { DashboardView } from '../core/reporting/dashboard.ts';
import { hasSession, startSession, type DashboardAuth } from './dashboard-auth.ts';
import { dashboardPage } from './dashboard-page.ts';
import { DASHBOARD_SCRIPT } from './dashboard-script.ts';
import { DASHBOARD_TEXT, dashboardLanguageOf } from './dashboard-text.ts';

export interface DashboardHttpDeps {
  auth: DashboardAuth;
  /** What the page shows, as of `now` (core/reporting/dashboard.ts over the runtime's store). */
  readView: (now: Date) => Promise<DashboardView>;
  /** Chart.js's UMD build as text (from node_modules locally, from the function's bundle in AWS). */
  chartJs: () => Promise<string>;
}

// No inline script: the view travels as JSON (not executed) and the code comes from /dashboard/assets.
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function dashboardRoutes(deps: DashboardHttpDeps): Hono {
  const routes = new Hono();
  const languageOf = (c: { req: { query(name: string): string | undefined; header(name: string): string | undefined } }) => dashboardLanguageOf(c.req.query('lang'), c.req.header('accept-language'));

  routes.get('/login', async (c) => {
    if (!(await startSession(c, c.req.query('token'), deps.auth))) {
      c.header('Cache-Control', 'no-store');
      return c.html(loginPage(languageOf(c)), 401);
    }
    const lang = c.req.query('lang');
    // The token leaves the address bar (and the history) at once.
    return c.redirect(lang === 'ja' || lang === 'en' ? `/dashboard?lang=${lang}` : '/dashboard', 303);
  });

  routes.use('*', async (c, next) => {
    if (!(await hasSession(c, deps.auth))) {
      c.header('Cache-Control', 'no-store');
      return c.req.path.includes('/api/') ? c.json({ error: 'a dashboard session is needed: npm run dashboard -- link' }, 401) : c.html(loginPage(languageOf(c)), 401);
    }
    c.header('Cache-Control', 'no-store');
    await next();
  });

  routes.get('/', async (c) => {
    const language = languageOf(c);
    const view = await deps.readView(deps.auth.now());
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('Content-Language', language);
    return c.html(dashboardPage(view, { language, text: DASHBOARD_TEXT[language], scriptUrls: ['/dashboard/assets/chart.js', '/dashboard/assets/dashboard.js'] }));
  });

  routes.get('/api/view', async (c) => c.json(await deps.readView(deps.auth.now())));

  routes.get('/assets/chart.js', async (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(await deps.chartJs());
  });
  routes.get('/assets/dashboard.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(DASHBOARD_SCRIPT);
  });
  return routes;
}

function loginPage(language: 'en' | 'ja'): string {
  const text = DASHBOARD_TEXT[language];
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${text.title}</title></head><body><h1>${text.title}</h1><p id="login-needed">${text.loginNeeded}</p></body></html>`;
}
