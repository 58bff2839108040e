/**
 * Who may open the dashboard: a signed session, never an open page. Whoever holds the dashboard
 * secret (locally the data folder's `dashboard-secret`; in AWS a Secrets Manager secret only
 * operators can read) mints a short-lived login link (`npm run dashboard -- link`); opening it
 * sets an HttpOnly session cookie (HS256 JWT, 12 hours) and drops the token from the address bar.
 * Tokens carry a purpose, so a login token is not a session and the other way round.
 */
import { getCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';
import { sign, verify } from 'hono/jwt';

export const DASHBOARD_COOKIE = 'nurture_dashboard';
const LOGIN_PURPOSE = 'dashboard-login';
const SESSION_PURPOSE = 'dashboard-session';
export const DEFAULT_LOGIN_MINUTES = 30;
export const SESSION_HOURS = 12;

export interface DashboardAuth {
  /** The HS256 key (at least 32 characters). */
  secret: string;
  /** Set the cookie's Secure flag (HTTPS in AWS; the local runtime serves plain http on 127.0.0.1). */
  secureCookie: boolean;
  now: () => Date;
}

/** A login link for `baseUrl` (the app's address), valid for `minutes`. */
export async function mintDashboardLink(secret: string, baseUrl: string, now: Date, minutes = DEFAULT_LOGIN_MINUTES): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const token = await sign({ purpose: LOGIN_PURPOSE, iat: issuedAt, exp: issuedAt + minutes * 60 }, secret, 'HS256');
  return `${baseUrl.replace(/\/$/u, '')}/dashboard/login?token=${token}`;
}

async function validToken(token: string | undefined, purpose: string, auth: DashboardAuth): Promise<boolean> {
  if (!token) return false;
  try {
    const payload = await verify(token, auth.secret, { alg: 'HS256', exp: false, nbf: false, iat: false });
    // Expiry checked against the injected clock, so the demo's virtual time and tests agree with it.
    return payload.purpose === purpose && typeof payload.exp === 'number' && payload.exp * 1000 > auth.now().getTime();
  } catch {
    return false;
  }
}

/** Exchanges a valid login token for the session cookie; false when the token is bad or expired. */
export async function startSession(c: Context, token: string | undefined, auth: DashboardAuth): Promise<boolean> {
  if (!(await validToken(token, LOGIN_PURPOSE, auth))) return false;
  const issuedAt = Math.floor(auth.now().getTime() / 1000);
  const session = await sign({ purpose: SESSION_PURPOSE, iat: issuedAt, exp: issuedAt + SESSION_HOURS * 3600 }, auth.secret, 'HS256');
  // Lax, not Strict: the login link is opened from mail or chat, and the redirect after it must carry the cookie.
  setCookie(c, DASHBOARD_COOKIE, session, { httpOnly: true, secure: auth.secureCookie, sameSite: 'Lax', path: '/dashboard', maxAge: SESSION_HOURS * 3600 });
  return true;
}

export function hasSession(c: Context, auth: DashboardAuth): Promise<boolean> {
  return validToken(getCookie(c, DASHBOARD_COOKIE), SESSION_PURPOSE, auth);
}
