/**
 * The dashboard alone (under /dashboard) and the health check: what the dashboard function serves
 * in AWS, with a role that can read the table and write nothing. The local runtime serves it as
 * part of the whole app (app.ts).
 */
import type { Hono } from 'hono';
import { finishApp, startApp, type AppLog } from './app-shell.ts';
import { dashboardRoutes, type DashboardHttpDeps } from './dashboard-routes.ts';

export function createDashboardApp(deps: DashboardHttpDeps, log: AppLog): Hono {
  const app = startApp();
  app.route('/dashboard', dashboardRoutes(deps));
  return finishApp(app, 'dashboard app', log);
}
