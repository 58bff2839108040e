/**
 * The signed one-click answer links of a survey email: one token per contact, survey, email (message
 * and run) and score. Signed like the click tokens (HMAC-SHA256 truncated to 128 bits, same secret),
 * with a leading tag of its own: an answer token is never a valid link token and no link token is
 * a valid answer token, so one kind cannot be replayed as the other.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { idSchema } from '../config/schema/common.ts';
import { npsScoreSchema } from './survey-answer.ts';

const TAG = 'survey-answer';
const SIGNATURE_BYTES = 16;

export const answerClaimsSchema = z.strictObject({
  surveyId: idSchema,
  /** The campaign or sequence the email came from. */
  messageId: z.string().min(1),
  runId: z.string().min(1),
  contactId: z.string().min(1),
  score: npsScoreSchema,
});

export type AnswerClaims = z.infer<typeof answerClaimsSchema>;

function signature(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

export function signAnswerToken(claims: AnswerClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify([TAG, claims.surveyId, claims.messageId, claims.runId, claims.contactId, claims.score])).toString('base64url');
  return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

/** The claims of a genuine answer token, or undefined for anything else (never throws). */
export function verifyAnswerToken(token: string, secret: string): AnswerClaims | undefined {
  if (token.length > 1024) return undefined;
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return undefined;
  // Compared as text: decoding first would accept many spellings of one signature.
  const given = Buffer.from(mac);
  const expected = Buffer.from(signature(payload, secret).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const fields: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(fields) || fields.length !== 6 || fields[0] !== TAG) return undefined;
    const [, surveyId, messageId, runId, contactId, score] = fields as unknown[];
    const parsed = answerClaimsSchema.safeParse({ surveyId, messageId, runId, contactId, score });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The path of an answer link under the app's base URL (http/survey-routes.ts serves it). */
export const ANSWER_PATH = '/s/';

/** The eleven answer links of one recipient, 0 to 10, for `{{ survey.answerUrls[n] }}` and `{% for a in survey.answers %}`. */
export function answerLinksOf(ref: Omit<AnswerClaims, 'score'>, links: { baseUrl: string; tokenSecret: string }): Array<{ score: number; url: string }> {
  return Array.from({ length: 11 }, (_, score) => ({ score, url: `${links.baseUrl}${ANSWER_PATH}${signAnswerToken({ ...ref, score }, links.tokenSecret)}` }));
}
