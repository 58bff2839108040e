/**
 * A contact's answer to a survey: one per contact and survey, changed in place by a later answer
 * (the previous scores stay in `history`, so a change is traceable), with an optional comment. The
 * pure transition `nextAnswer` decides what a submitted answer does to the stored one: nothing (a
 * resent form), a new answer, a changed score, or a new comment; and whether the contact has just
 * become a detractor for the first time in this survey, which raises the churn-risk event.
 */
import { z } from 'zod';
import { tierSchema } from '../config/schema/common.ts';

export const NPS_SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
export const npsScoreSchema = z.number().int().min(0).max(10);

/** Comments longer than this are cut: a comment box, not a document. */
export const MAX_COMMENT_LENGTH = 2000;
/** Previous scores kept on the item: enough to trace changes, bounded so the item stays small. */
export const MAX_HISTORY = 20;

export type NpsGroup = 'promoter' | 'passive' | 'detractor';

/** 9-10 promoter, 7-8 passive, 0-6 detractor (the NPS convention). */
export function npsGroupOf(score: number): NpsGroup {
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

export const surveyAnswerSchema = z.strictObject({
  surveyId: z.string().min(1),
  contactId: z.string().min(1),
  accountId: z.string().min(1),
  /** The account's tier when the answer was saved (NPS by tier reads it without a join). */
  tier: tierSchema,
  score: npsScoreSchema,
  comment: z.string().max(MAX_COMMENT_LENGTH).optional(),
  /** The email the answer came from (campaign or sequence id, run). */
  messageId: z.string().min(1),
  runId: z.string().min(1),
  firstAnsweredAt: z.iso.datetime(),
  /** When the current score was given. */
  answeredAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Earlier scores, oldest first: each with when it was given. */
  history: z.array(z.strictObject({ score: npsScoreSchema, answeredAt: z.iso.datetime() })).max(MAX_HISTORY).default([]),
  /** Set once, when the contact first became a detractor in this survey: the churn-risk event went out with it. */
  churnRiskRaisedAt: z.iso.datetime().optional(),
  /** Moves with every change: a save is conditional on the revision read (0 = no answer yet). */
  revision: z.number().int().min(1),
});

export type SurveyAnswer = z.infer<typeof surveyAnswerSchema>;

/** What a submitted form asks for: the score of the link, and a comment when the form carried one. */
export interface SubmittedAnswer {
  surveyId: string;
  contactId: string;
  accountId: string;
  tier: SurveyAnswer['tier'];
  score: number;
  messageId: string;
  runId: string;
  /** Undefined: leave the comment as it is. */
  comment?: string;
  /** The comment form: keep a stored score (the comment is about the answer already given). */
  commentOnly?: boolean;
  at: Date;
}

export type AnswerChange =
  | { outcome: 'unchanged'; answer: SurveyAnswer }
  | { outcome: 'answered' | 'changed' | 'commented'; answer: SurveyAnswer; becameDetractor: boolean };

/** What saving `submitted` over `current` does. Pure; `becameDetractor` only once per contact and survey. */
export function nextAnswer(current: SurveyAnswer | undefined, submitted: SubmittedAnswer): AnswerChange {
  const at = submitted.at.toISOString();
  const comment = submitted.comment === undefined ? undefined : submitted.comment.trim().slice(0, MAX_COMMENT_LENGTH);
  if (!current) {
    const becameDetractor = npsGroupOf(submitted.score) === 'detractor';
    const answer: SurveyAnswer = {
      surveyId: submitted.surveyId,
      contactId: submitted.contactId,
      accountId: submitted.accountId,
      tier: submitted.tier,
      score: submitted.score,
      ...(comment ? { comment } : {}),
      messageId: submitted.messageId,
      runId: submitted.runId,
      firstAnsweredAt: at,
      answeredAt: at,
      updatedAt: at,
      history: [],
      ...(becameDetractor ? { churnRiskRaisedAt: at } : {}),
      revision: 1,
    };
    return { outcome: 'answered', answer, becameDetractor };
  }
  const score = submitted.commentOnly ? current.score : submitted.score;
  const scoreChanged = score !== current.score;
  // An empty comment box changes nothing: clearing it is not what an empty resubmit means.
  const commentChanged = comment !== undefined && comment !== '' && comment !== current.comment;
  if (!scoreChanged && !commentChanged) return { outcome: 'unchanged', answer: current };
  const becameDetractor = scoreChanged && npsGroupOf(score) === 'detractor' && current.churnRiskRaisedAt === undefined;
  const answer: SurveyAnswer = {
    ...current,
    score,
    ...(commentChanged ? { comment } : {}),
    ...(scoreChanged ? { answeredAt: at, messageId: submitted.messageId, runId: submitted.runId, history: [...current.history, { score: current.score, answeredAt: current.answeredAt }].slice(-MAX_HISTORY) } : {}),
    updatedAt: at,
    ...(becameDetractor ? { churnRiskRaisedAt: at } : {}),
    revision: current.revision + 1,
  };
  return { outcome: scoreChanged ? 'changed' : 'commented', answer, becameDetractor };
}
