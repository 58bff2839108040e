/**
 * Partition keys as IAM `dynamodb:LeadingKeys` patterns, built from the one place keys are spelled
 * (adapters/aws/dynamo/table-design.ts; `*` stands for each id), so a function's role can be held
 * to the partitions its code paths touch.
 */
import { keys } from '../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';

export const PARTITION = {
  contact: keys.contact('*').PK,
  events: keys.engagementEvent('*', '', '').PK,
  /** Contact and account scores (the engagement path moves them in the event's transaction). */
  scores: 'SCORE#*',
  run: keys.send('*', '*', '*').PK,
  suppression: keys.suppression('*').PK,
  emailLookUp: keys.contactByEmail('*').PK,
  /** A webinar's session states and registrants. */
  webinar: keys.webinarSession('*', '*').PK,
  /** A session's join / leave marks and stays. */
  attendance: keys.attendanceOfSession('*', '*').PK,
  /** An account's profile (and its other account-level items). */
  account: keys.account('*').PK,
  /** A survey's answers, one item per contact. */
  survey: keys.surveyAnswer('*', '').PK,
  /** Events that leave the engine, waiting to be published. */
  outbox: keys.outboxEntry('*').PK,
  /** An email run's KPI counters (moved in the engagement path's transaction). */
  kpi: keys.kpiRun('*', '').PK,
  /** First-of-kind markers of the unique KPI counts. */
  kpiFirst: 'KPI_FIRST#*',
  /**
   * What each attempt of a KPI stream batch applied (the stream consumer's idempotency). Spelled
   * here until table-design.ts has its key (`keys.kpiBatch`); then build it from that, as above.
   */
  kpiBatch: 'KPI_BATCH#*',
  /** A run's link sets with their per-link click counts: the run's partition, which also holds its sends. */
  messageLinks: keys.messageLinks('*', '*', '').PK,
} as const;

/**
 * The run partitions of the configured webinars' emails (`RUN#<webinar id>#*`: a webinar email's
 * message id is its webinar id). Sends of every kind share the RUN# prefix, so a function that parks
 * webinar emails is held to these instead, and cannot write into a campaign's or sequence's runs.
 */
export function webinarRunPartitions(config: Pick<EngineConfig, 'webinars'>): string[] {
  return config.webinars.map((webinar) => keys.deferredSend(webinar.id, '*', '*').PK);
}

/** The condition holding a statement to these partitions (every key of the request must match one). */
export function leadingKeys(...patterns: string[]): Record<string, Record<string, string[]>> {
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } };
}
