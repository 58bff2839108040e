/**
 * `AccountChurnRiskRaised`: the event a detractor answer raises for the account's CSM. Written to
 * the outbox in the same transaction as the answer (SurveyStore.saveAnswer) and published by the
 * existing outbox job (core/qualification/publish-outbox.ts) with the engine's source, at least
 * once. One per contact and survey: the id is deterministic, and the answer item remembers that it
 * was raised, so a detractor changing 3 -> 2 raises nothing new. No email address, no comment text:
 * only whether a comment was there. Schema: docs/events.md.
 */
import type { Account } from '../customers/account.ts';
import type { OutboxEntry } from '../qualification/csql-promotion.ts';
import type { SurveyAnswer } from './survey-answer.ts';

export const CHURN_RISK_RAISED = 'AccountChurnRiskRaised';
/** The `detail.version` of AccountChurnRiskRaised (docs/events.md). */
export const CHURN_RISK_EVENT_VERSION = '1';

export function churnRiskEventId(surveyId: string, contactId: string): string {
  return `churn-risk:${surveyId}:${contactId}`;
}

/** The outbox entry of a contact who has just become a detractor in a survey. */
export function churnRiskEvent(answer: SurveyAnswer, account: Pick<Account, 'csmOwner' | 'tier'>): OutboxEntry {
  return {
    id: churnRiskEventId(answer.surveyId, answer.contactId),
    detailType: CHURN_RISK_RAISED,
    detail: {
      version: CHURN_RISK_EVENT_VERSION,
      accountId: answer.accountId,
      contactId: answer.contactId,
      survey: answer.surveyId,
      score: answer.score,
      commentPresent: answer.comment !== undefined && answer.comment !== '',
      csmOwner: account.csmOwner ?? null,
      tier: account.tier,
      answeredAt: answer.answeredAt,
    },
    createdAt: answer.answeredAt,
  };
}
