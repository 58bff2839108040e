/**
 * What the CRM tells the engine back about the accounts it handed over: a CSQL accepted or rejected
 * by sales (with the reason), and the account's opportunities opened, won (with the expansion MRR)
 * or lost. The CRM owns these facts; the engine keeps each outcome as it was reported (a history,
 * for the revenue reports) and the account's pipeline now (its opportunities' latest status and its
 * latest rejection), which the CSQL rules' exclusions read: an account with an open opportunity is
 * not promoted, and a rejection starts a cool-down. Parsing is all or nothing, every bad field named.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { externalIdSchema } from '../customers/account.ts';

export const CRM_OUTCOME_TYPES = ['csql-accepted', 'csql-rejected', 'opportunity-opened', 'opportunity-won', 'opportunity-lost'] as const;
export type CrmOutcomeType = (typeof CRM_OUTCOME_TYPES)[number];

const offsetDateTime = z.iso.datetime({ offset: true, error: (issue) => `expected an ISO-8601 time with a zone, e.g. 2026-12-01T10:00:00+09:00, got '${String(issue.input)}'` });

const outcomeInputSchema = z
  .strictObject({
    /** The CRM's id of this outcome, when it has one: the idempotency key (else a hash of the fields). */
    eventId: z.string().min(1).max(200).optional(),
    accountId: externalIdSchema,
    type: z.enum(CRM_OUTCOME_TYPES, { error: (issue) => `expected one of ${CRM_OUTCOME_TYPES.join(', ')}, got '${String(issue.input)}'` }),
    at: offsetDateTime,
    opportunityId: z.string().min(1).max(200).optional(),
    reason: z.string().trim().min(1).max(500).optional(),
    /** Expansion MRR won (major units), with its currency. */
    expansionMrr: z.number().min(0).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, { error: (issue) => `expected an ISO 4217 currency like JPY, got '${String(issue.input)}'` }).optional(),
  })
  .superRefine((outcome, context) => {
    if (outcome.type.startsWith('opportunity-') && outcome.opportunityId === undefined) context.addIssue({ code: 'custom', path: ['opportunityId'], message: `${outcome.type} needs the opportunityId` });
    if (outcome.type === 'csql-rejected' && outcome.reason === undefined) context.addIssue({ code: 'custom', path: ['reason'], message: 'csql-rejected needs the reason sales gave (it is shown next to the account)' });
    if (outcome.expansionMrr !== undefined && outcome.type !== 'opportunity-won') context.addIssue({ code: 'custom', path: ['expansionMrr'], message: 'expansionMrr belongs to opportunity-won' });
    if ((outcome.expansionMrr === undefined) !== (outcome.currency === undefined)) context.addIssue({ code: 'custom', path: [outcome.currency === undefined ? 'currency' : 'expansionMrr'], message: 'give expansionMrr and currency together' });
  });

/** One outcome as stored: its time in UTC and its idempotency key. */
export interface CrmOutcome {
  outcomeId: string;
  accountId: string;
  type: CrmOutcomeType;
  /** ISO-8601 UTC. */
  at: string;
  opportunityId?: string;
  reason?: string;
  expansionMrr?: number;
  currency?: string;
  /** When the engine received it. */
  receivedAt: string;
}

/** The latest status of one opportunity of an account. */
export interface OpportunityStatus {
  accountId: string;
  opportunityId: string;
  status: 'open' | 'won' | 'lost';
  /** When the CRM says the status became true (ISO-8601 UTC): a report older than the stored one changes nothing. */
  at: string;
}

/** What the CSQL exclusions read about an account's pipeline. */
export interface PipelineFacts {
  openOpportunities: string[];
  lastRejection?: { at: string; reason: string };
}

export interface OutcomeProblem {
  /** e.g. `outcomes[2].reason`. */
  field: string;
  message: string;
}

export type ParsedOutcomes = { ok: true; outcomes: CrmOutcome[] } | { ok: false; problems: OutcomeProblem[] };

export const MAX_OUTCOMES_PER_REQUEST = 1000;

/** The request body `{ "outcomes": [...] }`: every outcome or none. */
export function parseOutcomeBody(body: unknown, now: Date): ParsedOutcomes {
  const envelope = z.strictObject({ outcomes: z.array(z.unknown()).min(1).max(MAX_OUTCOMES_PER_REQUEST) }).safeParse(body);
  if (!envelope.success) return { ok: false, problems: [{ field: 'outcomes', message: `expected { "outcomes": [ ... ] } with 1 to ${MAX_OUTCOMES_PER_REQUEST} outcomes` }] };
  const problems: OutcomeProblem[] = [];
  const outcomes: CrmOutcome[] = [];
  envelope.data.outcomes.forEach((raw, index) => {
    const parsed = outcomeInputSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ field: `outcomes[${index}]${issue.path.map((part) => `.${String(part)}`).join('')}`, message: issue.message });
      return;
    }
    const at = new Date(parsed.data.at);
    if (at.getTime() > now.getTime() + 5 * 60_000) {
      problems.push({ field: `outcomes[${index}].at`, message: `${parsed.data.at} is in the future: report outcomes when they happen` });
      return;
    }
    const { eventId, ...fields } = parsed.data;
    outcomes.push({ ...fields, at: at.toISOString(), outcomeId: eventId !== undefined ? `e:${eventId}` : `h:${hashOf({ ...fields, at: at.toISOString() })}`, receivedAt: now.toISOString() });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, outcomes };
}

export function formatOutcomeProblems(problems: readonly OutcomeProblem[]): string {
  return problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
}

/** The opportunity status an outcome reports, if it is about one. */
export function opportunityStatusOf(outcome: CrmOutcome): OpportunityStatus | undefined {
  if (outcome.opportunityId === undefined) return undefined;
  const status = outcome.type === 'opportunity-won' ? 'won' : outcome.type === 'opportunity-lost' ? 'lost' : outcome.type === 'opportunity-opened' || outcome.type === 'csql-accepted' ? 'open' : undefined;
  return status ? { accountId: outcome.accountId, opportunityId: outcome.opportunityId, status, at: outcome.at } : undefined;
}

function hashOf(fields: Record<string, unknown>): string {
  const sorted = Object.keys(fields)
    .sort()
    .map((key) => [key, fields[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 24);
}
