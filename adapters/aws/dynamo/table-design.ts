/**
 * The single-table design: attribute names, index names and key builders.
 * Shared by the DynamoDB store adapter, the local table bootstrap and the CDK stack,
 * so the deployed table and the code that reads it cannot drift apart.
 * The access-pattern table that explains every key lives in docs/data-model.md.
 */

export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
} as const;

/**
 * Set (true) on the events and sends whose KPI counts the table's stream moves: an item written
 * by the code that counted in its own transaction (before the stream) lacks it, so upgrading a
 * deployed table counts nothing twice (adapters/aws/dynamo/kpi-stream-consumer.ts).
 */
export const COUNTED_FROM_STREAM = 'countedFromStream';

/** Global secondary indexes. All project every attribute (items are small). */
export const GSIS = [
  { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
] as const;

export type GsiName = (typeof GSIS)[number]['indexName'];

/**
 * Contacts are listed for audience resolution through GSI1 partitions `CONTACTS#<p>`, p = the
 * contact id's hash mod this, so no partition carries every contact. Fixed and generous: a
 * campaign run fans out over groups of them, as many dispatch workers as its contact count needs
 * (core/sending/run-fan-out.ts, docs/sending.md "Fan-out"), so the fan-out grows without re-keying.
 */
export const CONTACT_LIST_PARTITIONS = 256;

/**
 * Contacts written before the listing had 256 partitions sit at `CONTACTS#<hash mod 8>`. Those
 * key strings are partitions 0-7 of today's listing, so a run that reads every partition still
 * lists each such contact exactly once (one item, one GSI1PK); nothing is migrated. Only the
 * contact-count estimate needs to know they may be there.
 */
export const LEGACY_CONTACT_LIST_SHARDS = 8;

/**
 * Shards of the sparse due indexes (deferred sends `DEFERRED#<s>`, due enrollments
 * `ENROLLMENTS_DUE#<s>`): the release and sequence jobs read all of them side by side, a page each.
 */
export const DUE_INDEX_SHARDS = 8;

/** Stable shard for an id (FNV-1a), so a contact always lands in the same partition of a listing. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** Attributes of the latest-usage item that hold a metric start with this (metric names are snake_case). */
export const LATEST_USAGE_ATTRIBUTE_PREFIX = 'metric_';

/** Key builders: the only place key strings are spelled. */
export const keys = {
  account: (accountId: string) => ({ PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' }),
  accountByTier: (tier: string, accountId: string) => ({ GSI1PK: `TIER#${tier}`, GSI1SK: `ACCOUNT#${accountId}` }),
  accountMembers: (accountId: string) => ({ GSI2PK: `ACCOUNT#${accountId}`, GSI2SK: 'ACCOUNT' }),

  contact: (contactId: string) => ({ PK: `CONTACT#${contactId}`, SK: 'PROFILE' }),
  contactListing: (contactId: string) => ({
    GSI1PK: `CONTACTS#${shardOf(contactId, CONTACT_LIST_PARTITIONS)}`,
    GSI1SK: `CONTACT#${contactId}`,
  }),
  /** One partition of the contact listing (GSI1), paged through by a dispatch worker (old 8-shard keys are partitions 0-7). */
  contactListPartition: (partition: number) => ({ GSI1PK: `CONTACTS#${partition}` }),
  contactOfAccount: (accountId: string, contactId: string) => ({
    GSI2PK: `ACCOUNT#${accountId}`,
    GSI2SK: `CONTACT#${contactId}`,
  }),

  /** The unique email look-up: one address belongs to one contact (conditional put). */
  contactByEmail: (email: string) => ({ PK: `EMAIL#${email.toLowerCase()}`, SK: 'CONTACT' }),

  campaignRun: (campaignId: string, runId: string) => ({ PK: `CAMPAIGN#${campaignId}`, SK: `RUN#${runId}` }),

  send: (campaignId: string, runId: string, contactId: string) => ({
    PK: `RUN#${campaignId}#${runId}`,
    SK: `SEND#${contactId}`,
  }),
  sendByMessage: (messageId: string) => ({ GSI1PK: `MESSAGE#${messageId}`, GSI1SK: 'SEND' }),
  sendOfContact: (contactId: string, sentAt: string) => ({ GSI2PK: `CONTACT#${contactId}`, GSI2SK: `SEND#${sentAt}` }),
  skippedSend: (campaignId: string, runId: string, contactId: string) => ({ PK: `RUN#${campaignId}#${runId}`, SK: `SKIP#${contactId}` }),
  deferredSend: (campaignId: string, runId: string, contactId: string) => ({ PK: `RUN#${campaignId}#${runId}`, SK: `DEFER#${contactId}` }),
  /** The tracked links of a run's emails, one item per link set, with per-link click counters. */
  messageLinks: (campaignId: string, runId: string, linkSet: string) => ({ PK: `RUN#${campaignId}#${runId}`, SK: `LINKS#${linkSet}` }),
  /** Stranded sends (a claim whose worker died), listed for ops: rare, so one partition. */
  strandedSend: (claimedAt: string, campaignId: string, runId: string, contactId: string) => ({ GSI1PK: 'STRANDED', GSI1SK: `${claimedAt}#${campaignId}#${runId}#${contactId}` }),
  deferredDue: (notBefore: string, campaignId: string, runId: string, contactId: string) => ({
    GSI1PK: `DEFERRED#${shardOf(contactId, DUE_INDEX_SHARDS)}`,
    GSI1SK: `${notBefore}#${campaignId}#${runId}#${contactId}`,
  }),
  /** One shard of the deferred-send due index (GSI1); due ones sort up to `${now}#\uffff`. */
  deferredDueShard: (shard: number, upTo: string) => ({ GSI1PK: `DEFERRED#${shard}`, GSI1SKTo: `${upTo}#\uffff` }),
  /**
   * A campaign run's progress through one shard (the list partitions one dispatch worker reads):
   * the partition and last evaluated key, and the counts so far, written once per page (the
   * checkpoint a resumed worker starts from).
   */
  dispatchShard: (campaignId: string, runId: string, shard: number) => ({ PK: `RUN#${campaignId}#${runId}`, SK: `DISPATCH_SHARD#${String(shard).padStart(4, '0')}` }),
  dispatchShardsOfRun: (campaignId: string, runId: string) => ({ PK: `RUN#${campaignId}#${runId}`, SKPrefix: 'DISPATCH_SHARD#' }),

  /**
   * A contact's events live in a partition of their own, not the contact's: the public tracking
   * routes may then write events without any write right on the contact item itself.
   */
  engagementEvent: (contactId: string, occurredAt: string, eventId: string) => ({
    PK: `EVENTS#${contactId}`,
    SK: `EVENT#${occurredAt}#${eventId}`,
  }),
  /**
   * A contact's events from `from` to `to` (ISO times, both included): one key-range query, e.g.
   * what the recipient did since an email was sent (the click rules read it on every click).
   */
  engagementEventsOfContactBetween: (contactId: string, from: string, to: string) => ({
    PK: `EVENTS#${contactId}`,
    SKFrom: `EVENT#${from}`,
    // `#` after the time sorts below every event id, `~` above: events at `to` itself are in.
    SKTo: `EVENT#${to}~`,
  }),
  /**
   * A click (or a click's reclassification) in its campaign's GSI1 partition, for "who clicked".
   * Only clicks are indexed by campaign: every event in one partition per campaign would be a hot
   * index partition during a big send (a delivery each per email) and an index write per event.
   */
  clickOfCampaign: (campaignId: string, type: 'click' | 'click-reclassified', occurredAt: string, eventId: string) => ({
    GSI1PK: `CAMPAIGN#${campaignId}`,
    GSI1SK: `EVENT#${type}#${occurredAt}#${eventId}`,
  }),
  /** The range of a campaign's clicks and click reclassifications (`begins_with` on GSI1SK). */
  clicksOfCampaign: (campaignId: string) => ({ GSI1PK: `CAMPAIGN#${campaignId}`, GSI1SKPrefix: 'EVENT#click' }),
  /**
   * SES events of no known send or contact (the address is only in the suppression), one
   * partition per month of `occurredAt` (`yyyy-mm`): rare, so a month never grows hot.
   */
  sesUnplacedEvent: (month: string, occurredAt: string, eventId: string) => ({ PK: `SES_UNPLACED#${month}`, SK: `EVENT#${occurredAt}#${eventId}` }),
  sesUnplacedMonth: (month: string) => ({ PK: `SES_UNPLACED#${month}`, SKPrefix: 'EVENT#' }),

  /** A webinar session's state (reschedules, cancellation, actual run), under the webinar's partition. */
  webinarSession: (webinarId: string, sessionId: string) => ({ PK: `WEBINAR#${webinarId}`, SK: `SESSION#${sessionId}` }),
  /** One registration per address and session; its contact and account once matched. */
  registrant: (webinarId: string, sessionId: string, email: string) => ({ PK: `WEBINAR#${webinarId}`, SK: `REG#${sessionId}#${email.toLowerCase()}` }),
  registrationOfContact: (contactId: string, webinarId: string, sessionId: string) => ({
    GSI2PK: `CONTACT#${contactId}`,
    GSI2SK: `REGISTRANT#${webinarId}#${sessionId}`,
  }),
  /** Sparse: registrants of no known contact yet, joined when the contact is imported (the webinar sweep). */
  unmatchedRegistrant: (registeredAt: string, webinarId: string, sessionId: string, email: string) => ({
    GSI1PK: 'UNMATCHED_REGISTRANTS',
    GSI1SK: `${registeredAt}#${webinarId}#${sessionId}#${email.toLowerCase()}`,
  }),
  /** Join / leave marks and stays of a session's participants, all in one partition: read at once when it ends. */
  attendanceMark: (webinarId: string, sessionId: string, person: string, kind: string, at: string, stayKey: string) => ({
    PK: `ATTENDANCE#${webinarId}#${sessionId}`,
    SK: `${person}#${kind}#${at}#${stayKey}`,
  }),
  attendanceOfSession: (webinarId: string, sessionId: string) => ({ PK: `ATTENDANCE#${webinarId}#${sessionId}` }),
  /** One participant's marks and stays in a session (erasure moves them to an anonymous person). */
  attendanceOfPerson: (webinarId: string, sessionId: string, person: string) => ({ PK: `ATTENDANCE#${webinarId}#${sessionId}`, SKPrefix: `${person}#` }),

  enrollment: (contactId: string, sequenceId: string) => ({ PK: `CONTACT#${contactId}`, SK: `ENROLLMENT#${sequenceId}` }),
  /** Sparse: only enrollments with a next step carry it, so the due query reads active ones only. */
  enrollmentDue: (contactId: string, sequenceId: string, nextStepAt: string) => ({
    GSI1PK: `ENROLLMENTS_DUE#${shardOf(contactId, DUE_INDEX_SHARDS)}`,
    GSI1SK: `${nextStepAt}#${contactId}#${sequenceId}`,
  }),
  /** One shard of the due-enrollment index (GSI1); due ones sort up to `${now}#\uffff`. */
  enrollmentDueShard: (shard: number, upTo: string) => ({ GSI1PK: `ENROLLMENTS_DUE#${shard}`, GSI1SKTo: `${upTo}#\uffff` }),

  /**
   * Scores live in partitions of their own (not the contact's or account's): every function that
   * records engagement writes them, and its role is held to `SCORE#*` without any right on profiles.
   */
  contactScore: (contactId: string) => ({ PK: `SCORE#CONTACT#${contactId}`, SK: 'SCORE' }),
  accountScore: (accountId: string) => ({ PK: `SCORE#ACCOUNT#${accountId}`, SK: 'SCORE' }),

  /**
   * Raw product-usage records of an account, in a partition of their own (like engagement events),
   * keyed by instant and record id (the source's event id or a hash of the figures): written once.
   */
  usageRecord: (accountId: string, at: string, recordId: string) => ({ PK: `USAGE#${accountId}`, SK: `RECORD#${at}#${recordId}` }),
  usageRecordsOfAccount: (accountId: string) => ({ PK: `USAGE#${accountId}`, SKPrefix: 'RECORD#' }),
  /** The account's latest value per usage metric: one attribute per metric, each moved only forward in time. */
  latestUsage: (accountId: string) => ({ PK: `ACCOUNT#${accountId}`, SK: 'USAGE#latest' }),
  /** The attribute of the latest-usage item holding a metric's `{ value, at, recordId }` (LATEST_USAGE_ATTRIBUTE_PREFIX + metric). */
  latestUsageAttribute: (metric: string) => `${LATEST_USAGE_ATTRIBUTE_PREFIX}${metric}`,

  csqlPromotion: (accountId: string, promotedAt: string) => ({ PK: `ACCOUNT#${accountId}`, SK: `CSQL#${promotedAt}` }),
  csqlPromotionFeed: (promotedAt: string, accountId: string) => ({ GSI1PK: 'CSQL', GSI1SK: `${promotedAt}#${accountId}` }),
  /** Whether the account is a CSQL now (hysteresis, expiry), with a version for conditional changes. */
  csqlState: (accountId: string) => ({ PK: `ACCOUNT#${accountId}`, SK: 'CSQL_STATE' }),
  /**
   * What the CRM reported back, as reported (a history for revenue reports), in a partition per
   * account, with a month feed for reports over a period.
   */
  crmOutcome: (accountId: string, at: string, outcomeId: string) => ({ PK: `CRM_OUTCOMES#${accountId}`, SK: `${at}#${outcomeId}` }),
  crmOutcomesOfAccount: (accountId: string) => ({ PK: `CRM_OUTCOMES#${accountId}` }),
  crmOutcomeFeed: (at: string, accountId: string, outcomeId: string) => ({ GSI1PK: `CRM_OUTCOMES#${at.slice(0, 7)}`, GSI1SK: `${at}#${accountId}#${outcomeId}` }),
  /** The account's pipeline now: one item per opportunity (its latest status) and its latest CSQL rejection. */
  pipelineOfAccount: (accountId: string) => ({ PK: `PIPELINE#${accountId}` }),
  opportunity: (accountId: string, opportunityId: string) => ({ PK: `PIPELINE#${accountId}`, SK: `OPPORTUNITY#${opportunityId}` }),
  csqlRejection: (accountId: string) => ({ PK: `PIPELINE#${accountId}`, SK: 'REJECTION' }),
  /**
   * Survey answers: one item per contact and survey, all of a survey in its own partition (NPS per
   * survey reads it at once), and listed per account on GSI2 for the account's NPS in the health score.
   */
  surveyAnswer: (surveyId: string, contactId: string) => ({ PK: `SURVEY#${surveyId}`, SK: `ANSWER#${contactId}` }),
  surveyAnswersOfSurvey: (surveyId: string) => ({ PK: `SURVEY#${surveyId}`, SKPrefix: 'ANSWER#' }),
  surveyAnswerOfAccount: (accountId: string, surveyId: string, contactId: string) => ({ GSI2PK: `SURVEY_ANSWERS#${accountId}`, GSI2SK: `${surveyId}#${contactId}` }),
  surveyAnswersOfAccount: (accountId: string) => ({ GSI2PK: `SURVEY_ANSWERS#${accountId}` }),
  /** Events that leave the engine, written with the state change and published from here (the outbox). */
  outboxEntry: (id: string) => ({ PK: `OUTBOX#${id}`, SK: 'EVENT' }),
  /** Sparse: only entries not published yet. */
  outboxPending: (createdAt: string, id: string) => ({ GSI1PK: 'OUTBOX', GSI1SK: `${createdAt}#${id}` }),

  /** One change of an account's revenue facts (core/customers/revenue-history.ts), and the month feed of them. */
  revenueEntry: (accountId: string, at: string) => ({ PK: `ACCOUNT#${accountId}`, SK: `REVENUE#${at}` }),
  revenueFeed: (at: string, accountId: string) => ({ GSI1PK: `REVENUE#${at.slice(0, 7)}`, GSI1SK: `${at}#${accountId}` }),

  /** A run's KPI counters (core/reporting/kpi-counters.ts): one item per email run, moved from the change stream. */
  kpiRun: (messageId: string, runId: string) => ({ PK: `KPI#${messageId}`, SK: `RUN#${runId}` }),
  kpiRunsOf: (messageId: string) => ({ PK: `KPI#${messageId}`, SKPrefix: 'RUN#' }),
  /** First-of-kind marker of a contact in a run: a unique count moves only with its conditional put. */
  kpiFirst: (messageId: string, runId: string, contactId: string, kind: string) => ({ PK: `KPI_FIRST#${messageId}#${runId}#${contactId}`, SK: kind }),
  /** What one batch of the change stream applied to one counter (core/reporting/count-kpi-changes.ts): a retry of the batch moves only the difference. */
  kpiBatch: (batchId: string, counterId: string) => ({ PK: `KPI_BATCH#${batchId}`, SK: counterId }),
  kpiBatchOf: (batchId: string) => ({ PK: `KPI_BATCH#${batchId}` }),

  /** The pause switch: one item per paused scope (`all`, or a campaign / sequence id), under one partition. */
  sendingPause: (scope: string) => ({ PK: 'CONTROL', SK: `PAUSE#${scope}` }),

  suppression: (email: string) => ({ PK: `SUPPRESSION#${email.toLowerCase()}`, SK: 'SUPPRESSION' }),
  /**
   * The suppression of an erased person: keyed by the SHA-256 of the address (core/tracking/suppression.ts),
   * in the same partition family, so the suppression check reads it next to the plain one.
   */
  hashedSuppression: (addressHash: string) => ({ PK: `SUPPRESSION#sha256:${addressHash}`, SK: 'SUPPRESSION' }),
} as const;
