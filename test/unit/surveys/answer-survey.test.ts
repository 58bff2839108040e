/**
 * The answer use case with in-memory ports: a POST retried after the engagement event failed
 * completes it without saving twice; two saves racing on one revision both end up applied in
 * order; a closed survey saves nothing.
 */
import { describe, expect, it } from 'vitest';
import type { SurveyConfig } from '../../../core/config/schema/surveys.ts';
import type { OutboxEntry } from '../../../core/qualification/csql-promotion.ts';
import type { EngagementRecorder, SurveyStore } from '../../../core/ports.ts';
import { answerSurvey, type ResolvedAnswerLink } from '../../../core/surveys/answer-survey.ts';
import type { SurveyAnswer } from '../../../core/surveys/survey-answer.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';

const survey: SurveyConfig = { kind: 'survey', id: 'nps', type: 'nps', question: { ja: '質問', en: 'Question' }, comment: { enabled: true }, closesAt: '2027-02-01T00:00:00+09:00' };
const link = (score: number): ResolvedAnswerLink => ({
  claims: { surveyId: 'nps', messageId: 'nps-survey', runId: 'r1', contactId: 'c1', score },
  survey,
  contact: { contactId: 'c1', accountId: 'a1', email: 'c1@example.com', firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'UTC', consent: 'granted', topicsOptedOut: [] } as unknown as ResolvedAnswerLink['contact'],
  account: { accountId: 'a1', name: 'A', tier: 'tier1', plan: 'p', products: [], phase: 'adoption', mrr: 1, currency: 'JPY', csmOwner: 'csm-1' },
});

class MemoryAnswers implements Pick<SurveyStore, 'getAnswer' | 'saveAnswer'> {
  answer: SurveyAnswer | undefined;
  outbox: OutboxEntry[] = [];
  saves = 0;
  /** Another writer saves just before our next write. */
  interleave?: () => void;
  async getAnswer() {
    return this.answer && structuredClone(this.answer);
  }
  async saveAnswer(answer: SurveyAnswer, expectedRevision: number, outbox?: OutboxEntry) {
    this.interleave?.();
    this.interleave = undefined;
    if ((this.answer?.revision ?? 0) !== expectedRevision) return false;
    this.saves++;
    this.answer = structuredClone(answer);
    if (outbox) this.outbox.push(outbox);
    return true;
  }
}

class FlakyRecorder implements EngagementRecorder {
  readonly recorded = new Map<string, EngagementEvent>();
  failNext = false;
  async recordEvent(event: EngagementEvent) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('DynamoDB timeout');
    }
    if (this.recorded.has(event.eventId)) return false;
    this.recorded.set(event.eventId, event);
    return true;
  }
}

const depsWith = (answers: MemoryAnswers, engagement: FlakyRecorder, now = new Date('2027-01-19T01:00:00Z')) => ({ surveys: [survey], customers: { getContact: async () => undefined, getAccount: async () => undefined }, answers, engagement, clock: { now: () => now } });

describe('answerSurvey', () => {
  it('completes the engagement event on a retry after it failed, without saving the answer or raising the churn risk twice', async () => {
    const answers = new MemoryAnswers();
    const engagement = new FlakyRecorder();
    engagement.failNext = true;
    await expect(answerSurvey(link(4), {}, depsWith(answers, engagement))).rejects.toThrow('DynamoDB timeout');
    expect(answers.saves).toBe(1);
    const retried = await answerSurvey(link(4), {}, depsWith(answers, engagement));
    expect(retried).toMatchObject({ outcome: 'unchanged', churnRiskRaised: false });
    expect(answers.saves).toBe(1);
    expect(answers.outbox.map((entry) => entry.id)).toEqual(['churn-risk:nps:c1']);
    expect([...engagement.recorded.keys()]).toEqual(['survey-answered:nps:c1']);
  });

  it('reads again when another save won the revision, and applies its own answer on top', async () => {
    const answers = new MemoryAnswers();
    const engagement = new FlakyRecorder();
    await answerSurvey(link(9), {}, depsWith(answers, engagement));
    answers.interleave = () => {
      answers.answer = { ...(answers.answer as SurveyAnswer), comment: 'from another tab', revision: 2 };
    };
    const result = await answerSurvey(link(7), {}, depsWith(answers, engagement));
    expect(result).toMatchObject({ outcome: 'changed', answer: { score: 7, comment: 'from another tab', revision: 3, history: [{ score: 9 }] } });
  });

  it('saves nothing once the survey is closed', async () => {
    const answers = new MemoryAnswers();
    const engagement = new FlakyRecorder();
    expect(await answerSurvey(link(10), {}, depsWith(answers, engagement, new Date('2027-02-01T00:00:00+09:00')))).toEqual({ outcome: 'closed' });
    expect(answers.saves).toBe(0);
    expect(engagement.recorded.size).toBe(0);
  });
});
