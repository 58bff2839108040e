/**
 * Compact signed tokens for the links in an email (unsubscribe, preferences, open pixel,
 * click redirect). The token names what it is for and whom; an HMAC-SHA256 (truncated to
 * 128 bits) over it means a tampered or made-up token is refused. No URL is ever inside a
 * token: a click token names a link position, and the target comes from the stored campaign.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const TOKEN_PURPOSES = ['unsubscribe', 'preferences', 'open', 'click'] as const;

export const tokenClaimsSchema = z.strictObject({
  purpose: z.enum(TOKEN_PURPOSES),
  /** Campaign id, or sequence id for sequence steps. */
  messageId: z.string().min(1),
  runId: z.string().min(1),
  contactId: z.string().min(1),
  /** Click tokens: index of the link in the rendered email. */
  link: z.number().int().min(0).optional(),
});

export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

const SIGNATURE_BYTES = 16;

function signature(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

export function signToken(claims: TokenClaims, secret: string): string {
  const fields = [claims.purpose, claims.messageId, claims.runId, claims.contactId, claims.link === undefined ? '' : String(claims.link)];
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

/** The claims of a genuine token, or undefined for anything else (never throws). */
export function verifyToken(token: string, secret: string): TokenClaims | undefined {
  if (token.length > 1024) return undefined;
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return undefined;
  const given = Buffer.from(mac, 'base64url');
  const expected = signature(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const fields: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(fields) || fields.length !== 5) return undefined;
    const [purpose, messageId, runId, contactId, link] = fields as unknown[];
    const parsed = tokenClaimsSchema.safeParse({ purpose, messageId, runId, contactId, ...(link === '' ? {} : { link: Number(link) }) });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
