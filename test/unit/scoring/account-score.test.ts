import { describe, expect, it } from 'vitest';
import type { Scoring } from '../../../core/config/schema/scoring.ts';
import { accountEngagement } from '../../../core/scoring/account-score.ts';
import { eraOf, scaledIncrement } from '../../../core/scoring/decayed-score.ts';
import type { StoredScore } from '../../../core/scoring/score.ts';

const scoring = {
  halfLife: '14d',
  weights: { delivered: 0, open: 1, click: 3, webinarRegistered: 4, webinarAttended: 8, webinarWatchMinute: 0.1, webinarSurvey: 3, productUsage: 2 },
  penalties: { unsubscribe: 10, complaint: 20 },
  bands: [{ id: 'cold', minScore: 0 }],
  account: { breadthWeight: 3, engagedContactMinScore: 5 },
} as unknown as Scoring;
const now = new Date('2026-12-02T00:00:00Z');
const epoch = eraOf(now, 14 * 86_400_000);
const stored = (id: string, weight: number, signals: Record<string, number> = {}): StoredScore => ({
  scope: 'contact', id, epoch, scaledSum: scaledIncrement(weight, now, 14 * 86_400_000, epoch), signals: Object.fromEntries(Object.entries(signals).map(([signal, value]) => [signal, scaledIncrement(value, now, 14 * 86_400_000, epoch)])), updatedAt: now.toISOString(), version: 1,
});

describe('account engagement', () => {
  it('rewards breadth: five people looking outrank one enthusiastic reader with the same roll-up', () => {
    const one = accountEngagement(stored('a', 30, { click: 30 }), new Map([['fan', stored('fan', 30)]]), now, scoring);
    const five = accountEngagement(stored('b', 30, { click: 20, open: 10 }), new Map(['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => [id, stored(id, 6)])), now, scoring);
    expect(one).toMatchObject({ rollUp: 30, engagedContacts: 1, breadth: 3 });
    expect(five).toMatchObject({ engagedContacts: 5, breadth: 15 });
    expect(five.total).toBeGreaterThan(one.total);
    expect(five.signals.map((signal) => signal.signal)).toEqual(['click', 'open']);
  });

  it('counts no contact as engaged below the minimum, and nothing for an account without a score', () => {
    expect(accountEngagement(undefined, new Map([['x', stored('x', 4)]]), now, scoring)).toMatchObject({ rollUp: 0, engagedContacts: 0, total: 0 });
  });
});
