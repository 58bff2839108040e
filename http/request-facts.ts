/**
 * What the tracking routes need to know about a request to tell machines from people: the method,
 * the user agent and the client address. Behind API Gateway (and most proxies) the address the
 * edge saw is the last entry of X-Forwarded-For; a caller who knows better passes `clientIp`.
 */
import type { Context } from 'hono';
import type { RequestFacts } from '../core/tracking/machine-traffic.ts';

export type ClientIpResolver = (c: Context) => string | undefined;

export const lastForwardedFor: ClientIpResolver = (c) => {
  const forwarded = c.req.header('x-forwarded-for');
  const last = forwarded?.split(',').at(-1)?.trim();
  return last || undefined;
};

export function requestFacts(c: Context, clientIp: ClientIpResolver = lastForwardedFor): RequestFacts {
  return { method: c.req.method, userAgent: c.req.header('user-agent'), ip: clientIp(c) };
}
