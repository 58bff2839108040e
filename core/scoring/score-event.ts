/**
 * What one engagement event does to the scores: the signed weight of each signal it carries, from
 * the scoring config. Machine traffic (privacy-proxy opens, scanner clicks) and events that say
 * nothing about interest (sends, bounces, delays, no-shows) move nothing. Webinar attendance counts
 * by the share of the session watched, plus its watch minutes; unsubscribes and complaints subtract.
 * The contact and its account move alike (the account's score is the roll-up of its contacts;
 * breadth is added when it is read, account-score.ts).
 */
import type { Scoring } from '../config/schema/scoring.ts';
import { parseDuration } from '../config/duration.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import { scaledIncrement } from './decayed-score.ts';
import type { ScoreUpdate } from './score.ts';

export interface SignalWeight {
  signal: string;
  weight: number;
}

export function signalWeights(event: EngagementEvent, scoring: Scoring): SignalWeight[] {
  // Flagged machine itself (it is about machine traffic), yet it takes back what its click added:
  // the same signal at the same time, negated, so the decayed amounts cancel exactly.
  if (event.type === 'click-reclassified') return scoring.weights.click === 0 ? [] : [{ signal: 'click', weight: -scoring.weights.click }];
  if (event.machine) return [];
  const { weights, penalties } = scoring;
  const number = (key: string, fallback: number) => (typeof event.detail[key] === 'number' ? (event.detail[key] as number) : fallback);
  const of = (signal: string, weight: number): SignalWeight[] => (weight === 0 ? [] : [{ signal, weight }]);
  switch (event.type) {
    case 'delivery':
      return of('delivered', weights.delivered);
    case 'open':
      return of('open', weights.open);
    case 'click':
      return of('click', weights.click);
    case 'webinar-registered':
      return of('webinarRegistered', weights.webinarRegistered);
    case 'webinar-attended': {
      const share = Math.min(1, Math.max(0, number('watchShare', 1)));
      return [...of('webinarAttended', weights.webinarAttended * share), ...of('webinarWatchMinutes', weights.webinarWatchMinute * Math.max(0, number('watchMinutes', 0)))];
    }
    case 'webinar-survey':
      return of('webinarSurvey', weights.webinarSurvey);
    case 'product-usage':
      return of('productUsage', weights.productUsage);
    case 'survey-answered':
      return of('surveyAnswered', weights.surveyAnswered);
    case 'unsubscribe':
      return of('unsubscribe', -penalties.unsubscribe);
    case 'complaint':
      return of('complaint', -penalties.complaint);
    default:
      return [];
  }
}

/** The score updates of an event for its contact and its account, stated against `epoch`. */
export function scoreUpdatesOf(event: EngagementEvent, scoring: Scoring, epoch: number): ScoreUpdate[] {
  const halfLifeMs = halfLifeOf(scoring);
  const at = new Date(event.occurredAt);
  return signalWeights(event, scoring).flatMap(({ signal, weight }) => {
    const scaled = scaledIncrement(weight, at, halfLifeMs, epoch);
    return [
      { scope: 'contact' as const, id: event.contactId, signal, scaled, epoch },
      { scope: 'account' as const, id: event.accountId, signal, scaled, epoch },
    ];
  });
}

export function halfLifeOf(scoring: Scoring): number {
  return parseDuration(scoring.halfLife) ?? 14 * 86_400_000;
}
