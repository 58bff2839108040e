/**
 * CSQL promotions and their state. A promotion is the audit record of an account handed to customer
 * sales: the rule, the values it saw, and the signals that did it (which contact did what, when).
 * The account's CSQL state says whether it is a CSQL now (with hysteresis: it stays one until its
 * score falls below the demotion level, or the promotion expires), and since when.
 * `AccountQualifiedAsCsql` is the event published for the CRM (schema version in `EVENT_VERSION`).
 */
import { z } from 'zod';

export const topSignalSchema = z.strictObject({
  /** The signal (click, webinarAttended, ...) and its decayed share of the account score. */
  signal: z.string(),
  contribution: z.number(),
});

export const signalEvidenceSchema = z.strictObject({
  contactId: z.string(),
  type: z.string(),
  occurredAt: z.iso.datetime(),
  /** Campaign or webinar id. */
  source: z.string().optional(),
});

export const csqlPromotionSchema = z.strictObject({
  accountId: z.string().min(1),
  promotedAt: z.iso.datetime(),
  ruleId: z.string().min(1),
  /** The rule's text, as it was when the promotion was made. */
  ruleDescription: z.string().default(''),
  accountScore: z.number(),
  health: z.number().min(0).max(100),
  /** What the rule compared, by name (accountScore, engagedContacts, health, webinarAttendances, ...). */
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  topSignals: z.array(topSignalSchema),
  /** The most recent human signals of the most engaged contacts: who did what, when. */
  evidence: z.array(signalEvidenceSchema).default([]),
});

export type CsqlPromotion = z.infer<typeof csqlPromotionSchema>;

export const csqlStateSchema = z.strictObject({
  accountId: z.string().min(1),
  status: z.enum(['csql', 'not-csql']),
  /** The promotion that made it a CSQL (its promotedAt), while it is one. */
  promotedAt: z.iso.datetime().optional(),
  ruleId: z.string().optional(),
  demotedAt: z.iso.datetime().optional(),
  demotionReason: z.string().optional(),
  /** Moves with every change: promotions and demotions are conditional on the version read. */
  version: z.number().int().min(0),
});

export type CsqlState = z.infer<typeof csqlStateSchema>;

/** The `AccountQualifiedAsCsql` event's schema version (docs/csql-event.md). */
export const CSQL_EVENT_VERSION = '1';
export const CSQL_EVENT_SOURCE = 'nurture-engine.qualification';
export const CSQL_QUALIFIED = 'AccountQualifiedAsCsql';
export const CSQL_DEMOTED = 'AccountCsqlDemoted';

/** An event that leaves the engine, written with the state change (the outbox) and published from there. */
export const outboxEntrySchema = z.strictObject({
  /** Idempotency key of the event (EventBridge receivers dedupe by it). */
  id: z.string().min(1),
  detailType: z.string().min(1),
  detail: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});

export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/** The event published for a promotion. */
export function qualifiedEvent(promotion: CsqlPromotion): OutboxEntry {
  return {
    id: `csql-qualified:${promotion.accountId}:${promotion.promotedAt}`,
    detailType: CSQL_QUALIFIED,
    detail: { version: CSQL_EVENT_VERSION, ...promotion },
    createdAt: promotion.promotedAt,
  };
}
