/**
 * The one engagement path: every signal (SES events, opens, clicks, unsubscribes, webinar
 * registration / attendance / no-show / survey, product usage) is recorded here. The event's
 * conditional put and its score updates (contact and account) are one write that succeeds or fails
 * as a whole (a DynamoDB transaction), so a retried event never scores twice and a crash never
 * leaves an event unscored. Its email run's KPI counters follow from the event once it is in (the
 * table's stream, core/reporting/count-kpi-changes.ts): an event inserted once is counted once. A score stored against an older era is rebased first (one
 * consistent read and a conditional write, once per era and score), then the event is written.
 */
import type { Scoring } from '../config/schema/scoring.ts';
import type { Clock, EngagementRecorder, EngagementStore, ScoreStore } from '../ports.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import { kpiMoveOf } from '../reporting/kpi-counters.ts';
import { eraOf } from './decayed-score.ts';
import { rebasedScore, type ScoreUpdate } from './score.ts';
import { halfLifeOf, scoreUpdatesOf } from './score-event.ts';

export interface EngagementPathDeps {
  engagement: Pick<EngagementStore, 'recordScoredEvent'>;
  scores: Pick<ScoreStore, 'getScore' | 'replaceScore'>;
  scoring: Scoring;
  clock: Clock;
}

const MAX_ATTEMPTS = 5;

export class EngagementPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngagementPathError';
  }
}

/** Records an event once with its score moves; false when this event id was already recorded. */
export async function recordEngagement(event: EngagementEvent, deps: EngagementPathDeps): Promise<boolean> {
  const halfLifeMs = halfLifeOf(deps.scoring);
  // A future-dated event (another system's clock) states against its own era, so its factor stays bounded.
  let epoch = eraOf(new Date(Math.max(deps.clock.now().getTime(), Date.parse(event.occurredAt))), halfLifeMs);
  // What the run's KPI counters move (core/reporting/kpi-counters.ts): the in-memory store counts it at once; DynamoDB from its stream.
  const kpi = kpiMoveOf(event);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const updates: ScoreUpdate[] = scoreUpdatesOf(event, deps.scoring, epoch);
    const result = await deps.engagement.recordScoredEvent(event, updates, kpi);
    if (result.outcome !== 'stale-epoch') return result.outcome === 'recorded';
    // A score is stated against another epoch: an older era is rebased to ours; a newer one (another
    // worker's clock is ahead) becomes ours, and the increments are stated against it.
    for (const stale of result.staleScores) {
      if (stale.epoch > epoch) {
        epoch = stale.epoch;
        continue;
      }
      const stored = await deps.scores.getScore(stale.scope, stale.id);
      if (stored && stored.epoch < epoch) await deps.scores.replaceScore(stored, rebasedScore(stored, epoch, halfLifeMs));
    }
  }
  throw new EngagementPathError(`event ${event.eventId}: its scores kept changing epoch (${MAX_ATTEMPTS} attempts); the event is not recorded and will be retried`);
}

/** The recorder every use case is given: the only way to record an engagement event. */
export function engagementRecorder(deps: EngagementPathDeps): EngagementRecorder {
  return { recordEvent: (event) => recordEngagement(event, deps) };
}

/** The recorder over a store's events and scores, with the config's scoring: what composition roots build. */
export function engagementRecorderOf(store: { engagement: EngagementPathDeps['engagement']; scores: EngagementPathDeps['scores'] }, scoring: Scoring, clock: Clock): EngagementRecorder {
  return engagementRecorder({ engagement: store.engagement, scores: store.scores, scoring, clock });
}

/**
 * A store whose `engagement` also records through the one path (`recordEvent`), for composition
 * roots and tests that hand the whole store to use cases.
 */
export function withEngagementPath<S extends { engagement: EngagementStore; scores: EngagementPathDeps['scores'] }>(
  store: S,
  scoring: Scoring,
  clock: Clock,
): S & { engagement: EngagementStore & EngagementRecorder } {
  const recorder = engagementRecorderOf(store, scoring, clock);
  const engagement: EngagementStore & EngagementRecorder = Object.assign(Object.create(store.engagement) as EngagementStore, { recordEvent: recorder.recordEvent });
  return { ...store, engagement };
}
