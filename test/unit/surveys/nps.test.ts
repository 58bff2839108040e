/**
 * NPS as customer success reads it: % promoters (9-10) minus % detractors (0-6), over each contact's
 * latest answer, per survey, tier and account; and what a resubmitted or changed answer does to it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latestPerContact, npsBy, npsInputScore, npsOf } from '../../../core/surveys/nps.ts';
import { nextAnswer, npsGroupOf, type SubmittedAnswer, type SurveyAnswer } from '../../../core/surveys/survey-answer.ts';

const at = (minute: number) => new Date(Date.UTC(2027, 0, 19, 1, minute)).toISOString();
const answer = (contactId: string, score: number, minute = 0, extra: Partial<SurveyAnswer> = {}) => ({ surveyId: 's', contactId, accountId: 'a', tier: 'tier1' as const, score, answeredAt: at(minute), ...extra });

const submitted = (score: number, minute: number, extra: Partial<SubmittedAnswer> = {}): SubmittedAnswer => ({
  surveyId: 'nps',
  contactId: 'c1',
  accountId: 'acme',
  tier: 'tier2',
  score,
  messageId: 'nps-survey',
  runId: 'run-1',
  at: new Date(Date.UTC(2027, 0, 19, 1, minute)),
  ...extra,
});

/** Applies submissions one after another, as the store would keep them. */
function replay(submissions: readonly SubmittedAnswer[]): { stored: Map<string, SurveyAnswer>; raised: string[] } {
  const stored = new Map<string, SurveyAnswer>();
  const raised: string[] = [];
  for (const submission of submissions) {
    const change = nextAnswer(stored.get(submission.contactId), submission);
    if (change.outcome === 'unchanged') continue;
    if (change.becameDetractor) raised.push(submission.contactId);
    stored.set(submission.contactId, change.answer);
  }
  return { stored, raised };
}

describe('npsOf', () => {
  it('is % promoters minus % detractors, passives counting only in the total', () => {
    const result = npsOf([answer('a', 10), answer('b', 9), answer('c', 8), answer('d', 7), answer('e', 6), answer('f', 0)]);
    expect(result).toMatchObject({ answers: 6, promoters: 2, passives: 2, detractors: 2, nps: 0 });
    expect(npsOf([answer('a', 10), answer('b', 9), answer('c', 3), answer('d', 8)]).nps).toBe(25);
    expect(npsOf([answer('a', 6)]).nps).toBe(-100);
    expect(npsOf([]).nps).toBeUndefined();
  });

  it('counts the latest answer of each contact once', () => {
    expect(latestPerContact([answer('a', 2, 1), answer('a', 10, 5), answer('b', 9, 0)]).map((kept) => kept.score).sort()).toEqual([10, 9].sort());
    expect(npsOf([answer('a', 2, 1), answer('a', 10, 5)]).nps).toBe(100);
  });

  it('groups by tier and by account', () => {
    const answers = [answer('a', 10, 0, { tier: 'tier1', accountId: 'x' }), answer('b', 0, 0, { tier: 'tier2', accountId: 'x' }), answer('c', 9, 0, { tier: 'tier2', accountId: 'y' })];
    expect(npsBy(answers, 'tier').map((row) => [row.key, row.nps])).toEqual([['tier1', 100], ['tier2', 0]]);
    expect(npsBy(answers, 'account').map((row) => [row.key, row.nps])).toEqual([['x', 0], ['y', 100]]);
    expect(npsBy(answers, 'survey').map((row) => [row.key, Math.round(row.nps ?? NaN)])).toEqual([['s', 33]]);
  });

  it('over time: by month, each contact\'s latest answer of that month (a detractor who turns promoter shows in both months)', () => {
    const answers = [
      answer('a', 2, 0, { answeredAt: '2026-10-05T00:00:00.000Z' }),
      answer('b', 9, 0, { answeredAt: '2026-10-20T00:00:00.000Z' }),
      answer('a', 10, 0, { answeredAt: '2026-11-02T00:00:00.000Z' }),
      answer('a', 9, 0, { answeredAt: '2026-11-03T00:00:00.000Z' }),
    ];
    expect(npsBy(answers, 'month').map((row) => [row.key, row.answers, row.nps])).toEqual([['2026-10', 2, 0], ['2026-11', 1, 100]]);
  });

  it('stays within -100..100 for any answers (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ contact: fc.constantFrom('a', 'b', 'c', 'd', 'e'), score: fc.integer({ min: 0, max: 10 }), minute: fc.integer({ min: 0, max: 59 }) })), (list) => {
        const result = npsOf(list.map((entry) => answer(entry.contact, entry.score, entry.minute)));
        if (list.length === 0) return result.nps === undefined;
        return result.nps !== undefined && result.nps >= -100 && result.nps <= 100 && result.promoters + result.passives + result.detractors === result.answers;
      }),
    );
  });
});

describe('health input from the NPS', () => {
  it('scores 0 at -100 and 100 at the target, linearly between, capped', () => {
    expect(npsInputScore(-100, 30)).toBe(0);
    expect(npsInputScore(30, 30)).toBe(100);
    expect(npsInputScore(100, 30)).toBe(100);
    expect(npsInputScore(0, 30)).toBeCloseTo(76.92, 2);
    expect(npsInputScore(-35, 30)).toBeCloseTo(50, 5);
  });
});

describe('nextAnswer', () => {
  it('stores a first answer, with a churn risk for a detractor only', () => {
    expect(nextAnswer(undefined, submitted(8, 0))).toMatchObject({ outcome: 'answered', becameDetractor: false, answer: { score: 8, revision: 1, history: [] } });
    const detractor = nextAnswer(undefined, submitted(3, 0));
    expect(detractor).toMatchObject({ outcome: 'answered', becameDetractor: true });
    expect(detractor.answer.churnRiskRaisedAt).toBe(submitted(3, 0).at.toISOString());
  });

  it('changes a score in place and keeps the previous one in the history', () => {
    const first = nextAnswer(undefined, submitted(9, 0)).answer;
    const changed = nextAnswer(first, submitted(4, 7));
    expect(changed).toMatchObject({ outcome: 'changed', becameDetractor: true, answer: { score: 4, revision: 2, firstAnsweredAt: first.firstAnsweredAt, history: [{ score: 9, answeredAt: first.answeredAt }] } });
  });

  it('raises the churn risk once per contact and survey: 3 -> 2, or detractor -> promoter -> detractor, raise nothing new', () => {
    const { raised } = replay([submitted(3, 0), submitted(2, 1), submitted(10, 2), submitted(1, 3)]);
    expect(raised).toEqual(['c1']);
  });

  it('adds a comment, and a comment-only form keeps the stored score', () => {
    const first = nextAnswer(undefined, submitted(6, 0)).answer;
    const commented = nextAnswer(first, submitted(10, 3, { comment: '  サポートが遅い ', commentOnly: true }));
    expect(commented).toMatchObject({ outcome: 'commented', becameDetractor: false, answer: { score: 6, comment: 'サポートが遅い', history: [] } });
    // An empty box resent changes nothing.
    expect(nextAnswer(commented.answer, submitted(6, 4, { comment: '' })).outcome).toBe('unchanged');
  });

  it('a resubmitted answer changes nothing, whatever came before (property)', () => {
    const submissionArb = fc.record({ contact: fc.constantFrom('a', 'b', 'c'), score: fc.integer({ min: 0, max: 10 }), minute: fc.integer({ min: 0, max: 59 }) });
    fc.assert(
      fc.property(fc.array(submissionArb, { minLength: 1 }), (list) => {
        const submissions = list.map((entry) => submitted(entry.score, entry.minute, { contactId: entry.contact }));
        const once = replay(submissions);
        const last = submissions[submissions.length - 1] as SubmittedAnswer;
        const again = nextAnswer(once.stored.get(last.contactId), { ...last, at: new Date(last.at.getTime() + 60_000) });
        const twice = replay([...submissions, last]);
        return again.outcome === 'unchanged' && npsOf([...twice.stored.values()]).nps === npsOf([...once.stored.values()]).nps && twice.raised.length === once.raised.length;
      }),
    );
  });

  it('a changed answer moves the contact from its old group to the new one and nothing else (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (others, before, after) => {
        const base = others.map((score, index) => submitted(score, 0, { contactId: `o${index}` }));
        const beforeState = replay([...base, submitted(before, 1)]);
        const afterState = replay([...base, submitted(before, 1), submitted(after, 2)]);
        const count = (state: typeof beforeState) => npsOf([...state.stored.values()]);
        const [b, a] = [count(beforeState), count(afterState)];
        const delta = (group: 'promoter' | 'passive' | 'detractor') => (npsGroupOf(after) === group ? 1 : 0) - (npsGroupOf(before) === group ? 1 : 0);
        return a.answers === b.answers && a.promoters - b.promoters === delta('promoter') && a.passives - b.passives === delta('passive') && a.detractors - b.detractors === delta('detractor');
      }),
    );
  });
});
