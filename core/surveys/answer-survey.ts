/**
 * Use case: save a survey answer from its signed link. The answer (one item per contact and
 * survey, conditional on the revision read) and, when the contact has just become a detractor,
 * the `AccountChurnRiskRaised` outbox entry are one write; then the answer goes through the one
 * engagement path as a `survey-answered` event. The event's id and time come from the stored
 * answer (survey, contact, first answer), so a retried POST, after a crash anywhere, converges:
 * the answer is already there (nothing is written) and the event is recorded once.
 * Only a POST calls this: link scanners fetch every GET, and a GET must record nothing.
 */
import type { SurveyConfig } from '../config/schema/surveys.ts';
import type { Account } from '../customers/account.ts';
import type { Contact } from '../customers/contact.ts';
import type { Clock, CustomerStore, EngagementRecorder, SurveyStore } from '../ports.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import type { AnswerClaims } from './answer-token.ts';
import { churnRiskEvent } from './churn-risk.ts';
import { nextAnswer, npsGroupOf, type AnswerChange, type SurveyAnswer } from './survey-answer.ts';

export interface AnswerSurveyDeps {
  surveys: SurveyConfig[];
  customers: Pick<CustomerStore, 'getContact' | 'getAccount'>;
  answers: Pick<SurveyStore, 'getAnswer' | 'saveAnswer'>;
  engagement: EngagementRecorder;
  clock: Clock;
}

/** Who and what a genuine token is about, read once for the page and the save. */
export interface ResolvedAnswerLink {
  claims: AnswerClaims;
  survey: SurveyConfig;
  contact: Contact;
  account: Account;
}

export type AnswerSurveyResult = { outcome: 'closed' } | { outcome: AnswerChange['outcome']; answer: SurveyAnswer; churnRiskRaised: boolean };

const MAX_ATTEMPTS = 4;

export class SurveyAnswerConflict extends Error {
  constructor(surveyId: string, contactId: string) {
    super(`survey ${surveyId}, contact ${contactId}: the answer kept changing while it was saved (${MAX_ATTEMPTS} attempts); nothing more was written, send the form again`);
    this.name = 'SurveyAnswerConflict';
  }
}

/** The survey, contact and account of verified claims; undefined when any of them is unknown (the link is not valid). */
export async function resolveAnswerLink(claims: AnswerClaims, deps: Pick<AnswerSurveyDeps, 'surveys' | 'customers'>): Promise<ResolvedAnswerLink | undefined> {
  const survey = deps.surveys.find((candidate) => candidate.id === claims.surveyId);
  if (!survey) return undefined;
  const contact = await deps.customers.getContact(claims.contactId);
  if (!contact) return undefined;
  const account = await deps.customers.getAccount(contact.accountId);
  if (!account) return undefined;
  return { claims, survey, contact, account };
}

export function isSurveyClosed(survey: SurveyConfig, now: Date): boolean {
  return survey.closesAt !== undefined && now.getTime() >= Date.parse(survey.closesAt);
}

/**
 * Saves the link's score (or, with `commentOnly`, only the comment on the answer already given) and
 * records the engagement event. A closed survey saves nothing.
 */
export async function answerSurvey(link: ResolvedAnswerLink, form: { comment?: string; commentOnly?: boolean }, deps: AnswerSurveyDeps): Promise<AnswerSurveyResult> {
  const now = deps.clock.now();
  if (isSurveyClosed(link.survey, now)) return { outcome: 'closed' };
  const { claims, contact, account } = link;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await deps.answers.getAnswer(claims.surveyId, contact.contactId);
    const change = nextAnswer(current, {
      surveyId: claims.surveyId,
      contactId: contact.contactId,
      accountId: account.accountId,
      tier: account.tier,
      score: claims.score,
      messageId: claims.messageId,
      runId: claims.runId,
      ...(form.comment !== undefined ? { comment: form.comment } : {}),
      ...(form.commentOnly ? { commentOnly: true } : {}),
      at: now,
    });
    if (change.outcome !== 'unchanged') {
      const outbox = change.becameDetractor ? churnRiskEvent(change.answer, account) : undefined;
      // Someone (a double click, another tab) saved first: read again and decide again.
      if (!(await deps.answers.saveAnswer(change.answer, current?.revision ?? 0, outbox))) continue;
    }
    // After the save, and also when nothing changed: a retry completes an event a crash left unrecorded.
    await deps.engagement.recordEvent(answeredEvent(change.answer));
    return { outcome: change.outcome, answer: change.answer, churnRiskRaised: change.outcome !== 'unchanged' && change.becameDetractor };
  }
  throw new SurveyAnswerConflict(claims.surveyId, contact.contactId);
}

/**
 * The engagement event of answering a survey: one per contact and survey (answering is the signal;
 * changing the score later is kept in the answer's history, not scored again), stated at the first
 * answer with its score.
 */
export function answeredEvent(answer: SurveyAnswer): EngagementEvent {
  const first = answer.history[0] ?? { score: answer.score, answeredAt: answer.answeredAt };
  return {
    eventId: `survey-answered:${answer.surveyId}:${answer.contactId}`,
    type: 'survey-answered',
    contactId: answer.contactId,
    accountId: answer.accountId,
    occurredAt: answer.firstAnsweredAt,
    campaignId: answer.messageId,
    runId: answer.runId,
    machine: false,
    detail: { survey: answer.surveyId, score: first.score, group: npsGroupOf(first.score) },
  };
}
