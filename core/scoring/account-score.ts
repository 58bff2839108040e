/**
 * An account's engagement score as sales should read it: the roll-up of its contacts' decayed
 * scores (kept on the account's own score item by the engagement path) plus breadth, a weight per
 * distinct engaged contact (decayed score at or above `engagedContactMinScore`), so one
 * enthusiastic reader does not outrank an account where five people are looking. Pure.
 */
import type { Scoring } from '../config/schema/scoring.ts';
import { scoreAt } from './decayed-score.ts';
import type { StoredScore } from './score.ts';
import { halfLifeOf } from './score-event.ts';

export interface AccountEngagement {
  /** Decayed roll-up of the account's contacts. */
  rollUp: number;
  engagedContacts: number;
  breadth: number;
  total: number;
  /** Decayed contribution per signal, largest first (for explanations). */
  signals: Array<{ signal: string; score: number }>;
  /** Decayed score per contact, largest first. */
  contacts: Array<{ contactId: string; score: number }>;
}

export function decayedScore(stored: StoredScore | undefined, now: Date, scoring: Scoring): number {
  return stored ? scoreAt(stored.scaledSum, now, halfLifeOf(scoring), stored.epoch) : 0;
}

export function accountEngagement(account: StoredScore | undefined, contacts: ReadonlyMap<string, StoredScore>, now: Date, scoring: Scoring): AccountEngagement {
  const halfLifeMs = halfLifeOf(scoring);
  const contactScores = [...contacts.entries()].map(([contactId, stored]) => ({ contactId, score: decayedScore(stored, now, scoring) })).sort((a, b) => b.score - a.score);
  const engagedContacts = contactScores.filter((contact) => contact.score >= scoring.account.engagedContactMinScore && contact.score > 0).length;
  const rollUp = decayedScore(account, now, scoring);
  const breadth = engagedContacts * scoring.account.breadthWeight;
  const signals = Object.entries(account?.signals ?? {})
    .map(([signal, scaled]) => ({ signal, score: scoreAt(scaled, now, halfLifeMs, account?.epoch ?? 0) }))
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
  return { rollUp, engagedContacts, breadth, total: rollUp + breadth, signals, contacts: contactScores };
}
