/**
 * Compact signed tokens for the links in an email (unsubscribe, preferences, open pixel,
 * click redirect). The token names what it is for and whom; an HMAC-SHA256 (truncated to
 * 128 bits) over it means a tampered or made-up token is refused. No URL is ever inside a
 * token: a click token names a link position, and the target comes from the stored campaign.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** register / calendar / survey: webinar links (messageId = webinar id, runId = session id). */
export const TOKEN_PURPOSES = ['unsubscribe', 'preferences', 'open', 'click', 'register', 'calendar', 'survey'] as const;

export const tokenClaimsSchema = z.strictObject({
  purpose: z.enum(TOKEN_PURPOSES),
  /** Campaign id, sequence id for sequence steps, webinar id for webinar links. */
  messageId: z.string().min(1),
  runId: z.string().min(1),
  contactId: z.string().min(1),
  /** Click tokens: index of the link in the rendered email. */
  link: z.number().int().min(0).optional(),
  /**
   * Click tokens: which stored link list the index refers to (a digest of the list). Emails of
   * one run differ by locale and by personalised links, so (message, run) alone is not enough.
   */
  linkSet: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional(),
});

export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

const SIGNATURE_BYTES = 16;

function signature(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

/** `<base64url JSON of the fields>.<base64url HMAC>`: the format of every signed token (links, survey answers). */
export function signFields(fields: readonly unknown[], secret: string): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

/** The fields of a token signed with `secret` by `signFields`, or undefined for anything else (never throws). */
export function verifiedFields(token: string, secret: string): unknown[] | undefined {
  if (token.length > 1024) return undefined;
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return undefined;
  // Compared as text, not decoded: base64 decoding ignores stray characters and trailing bits,
  // so decoding first would accept many spellings of one signature.
  const given = Buffer.from(mac);
  const expected = Buffer.from(signature(payload, secret).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const fields: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return Array.isArray(fields) ? fields : undefined;
  } catch {
    return undefined;
  }
}

export function signToken(claims: TokenClaims, secret: string): string {
  const fields = [claims.purpose, claims.messageId, claims.runId, claims.contactId, claims.link === undefined ? '' : String(claims.link)];
  // Appended only when present, so tokens without it read exactly as before.
  if (claims.linkSet !== undefined) fields.push(claims.linkSet);
  return signFields(fields, secret);
}

/** The claims of a genuine token, or undefined for anything else (never throws). */
export function verifyToken(token: string, secret: string): TokenClaims | undefined {
  const fields = verifiedFields(token, secret);
  if (!fields || (fields.length !== 5 && fields.length !== 6)) return undefined;
  const [purpose, messageId, runId, contactId, link, linkSet] = fields;
  const parsed = tokenClaimsSchema.safeParse({
    purpose,
    messageId,
    runId,
    contactId,
    ...(link === '' ? {} : { link: typeof link === 'string' && /^\d{1,6}$/.test(link) ? Number(link) : Number.NaN }),
    ...(fields.length === 6 ? { linkSet } : {}),
  });
  return parsed.success ? parsed.data : undefined;
}
