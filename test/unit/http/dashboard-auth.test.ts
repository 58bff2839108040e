/**
 * The dashboard's signed session: a login link works until it expires (on the runtime's clock),
 * sets an HttpOnly cookie scoped to /dashboard, and only that cookie opens the page and its JSON.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_COOKIE, mintDashboardLink } from '../../../http/dashboard-auth.ts';
import { dashboardRoutes } from '../../../http/dashboard-routes.ts';
import type { DashboardView } from '../../../core/reporting/dashboard.ts';

const SECRET = 'unit-dashboard-secret-0123456789abcdef';
const view = { generatedAt: '2026-12-01T00:00:00.000Z' } as DashboardView;

function appAt(clock: { now: Date }) {
  const app = new Hono();
  app.route('/dashboard', dashboardRoutes({ auth: { secret: SECRET, secureCookie: true, now: () => clock.now }, readView: async () => view, chartJs: async () => '/* chart */' }));
  return app;
}

async function login(app: Hono, link: string) {
  const url = new URL(link);
  return app.request(`${url.pathname}${url.search}`);
}

describe('dashboard session', () => {
  it('exchanges a fresh login link for a Secure HttpOnly cookie and redirects without the token', async () => {
    const clock = { now: new Date('2026-12-01T09:00:00Z') };
    const app = appAt(clock);
    const response = await login(app, await mintDashboardLink(SECRET, 'https://api.example', clock.now, 30));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/dashboard');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${DASHBOARD_COOKIE}=`, 'u'));
    expect(cookie).toMatch(/HttpOnly/u);
    expect(cookie).toMatch(/Secure/u);
    expect(cookie).toMatch(/Path=\/dashboard/u);
    const session = cookie.split(';')[0] ?? '';
    expect((await app.request('/dashboard/api/view', { headers: { cookie: session } })).status).toBe(200);
    // 12 hours later the session has ended.
    clock.now = new Date(clock.now.getTime() + 12 * 3600_000 + 1000);
    expect((await app.request('/dashboard/api/view', { headers: { cookie: session } })).status).toBe(401);
  });

  it('refuses an expired link, a link signed with another key, and a login token used as the cookie', async () => {
    const clock = { now: new Date('2026-12-01T09:00:00Z') };
    const app = appAt(clock);
    const link = await mintDashboardLink(SECRET, 'https://api.example', clock.now, 30);
    clock.now = new Date(clock.now.getTime() + 31 * 60_000);
    const expired = await login(app, link);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('set-cookie')).toBeNull();
    const foreign = await login(app, await mintDashboardLink('another-secret-0123456789abcdefgh', 'https://api.example', clock.now));
    expect(foreign.status).toBe(401);
    const token = new URL(link).searchParams.get('token');
    expect((await app.request('/dashboard', { headers: { cookie: `${DASHBOARD_COOKIE}=${token}` } })).status).toBe(401);
    expect((await app.request('/dashboard/assets/dashboard.js')).status).toBe(401);
  });

  it('answers the 401 page in Japanese to a Japanese browser', async () => {
    const response = await appAt({ now: new Date() }).request('/dashboard', { headers: { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8' } });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('ログイン用リンク');
  });
});
