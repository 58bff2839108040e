/**
 * The signed one-click answer links of a survey email: one token per contact, survey, email (message
 * and run) and score. Signed like the click tokens (HMAC-SHA256 truncated to 128 bits, same secret),
 * with a leading tag of its own: an answer token is never a valid link token and no link token is
 * a valid answer token, so one kind cannot be replayed as the other.
 */
import { z } from 'zod';
import { idSchema } from '../config/schema/common.ts';
import { signFields, verifiedFields } from '../tracking/link-token.ts';
import { npsScoreSchema } from './survey-answer.ts';

const TAG = 'survey-answer';

export const answerClaimsSchema = z.strictObject({
  surveyId: idSchema,
  /** The campaign or sequence the email came from. */
  messageId: z.string().min(1),
  runId: z.string().min(1),
  contactId: z.string().min(1),
  score: npsScoreSchema,
});

export type AnswerClaims = z.infer<typeof answerClaimsSchema>;

export function signAnswerToken(claims: AnswerClaims, secret: string): string {
  return signFields([TAG, claims.surveyId, claims.messageId, claims.runId, claims.contactId, claims.score], secret);
}

/** The claims of a genuine answer token, or undefined for anything else (never throws). */
export function verifyAnswerToken(token: string, secret: string): AnswerClaims | undefined {
  const fields = verifiedFields(token, secret);
  if (!fields || fields.length !== 6 || fields[0] !== TAG) return undefined;
  const [, surveyId, messageId, runId, contactId, score] = fields;
  const parsed = answerClaimsSchema.safeParse({ surveyId, messageId, runId, contactId, score });
  return parsed.success ? parsed.data : undefined;
}

/** The path of an answer link under the app's base URL (http/survey-routes.ts serves it). */
export const ANSWER_PATH = '/s/';

/** The eleven answer links of one recipient, 0 to 10, for `{{ survey.answerUrls[n] }}` and `{% for a in survey.answers %}`. */
export function answerLinksOf(ref: Omit<AnswerClaims, 'score'>, links: { baseUrl: string; tokenSecret: string }): Array<{ score: number; url: string }> {
  return Array.from({ length: 11 }, (_, score) => ({ score, url: `${links.baseUrl}${ANSWER_PATH}${signAnswerToken({ ...ref, score }, links.tokenSecret)}` }));
}
