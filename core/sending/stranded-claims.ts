/**
 * Claims stranded by a worker that died between claiming an email and recording what SES did.
 * Nobody can tell from the claim whether SES took the email, so the engine never guesses:
 *
 * - A request that finds its email claimed by someone else comes back later (`claimed-elsewhere`,
 *   retried) while the claim is younger than the lease: its worker may still be at work. The lease
 *   is longer than the sender's function timeout (60 s), so an older claim has no living holder.
 * - A request that finds an older claim marks it `stranded` (with the request, listed for ops, a
 *   metric and an alarm) and is acknowledged: it is not lost, it is waiting for a decision.
 * - `npm run sends -- stranded --resolve` decides: a stranded email SES shows it took (a send,
 *   delivery or bounce event recorded for it, placed by its signed tags) is marked sent with SES's
 *   message id; one SES shows nothing of is sent again (parked due now, so the release job queues
 *   it and the caps are checked again), or with `--give-up` marked failed. Only claims stranded for
 *   longer than `--older-than` (default 1 hour) are resolved, so SES's events have had time to arrive.
 */
import type { Clock, SendStore, StrandedClaimStore } from '../ports.ts';
import type { Send } from './send.ts';
import type { SendRequest } from './send-request.ts';

/** How long a claim may be held by a living worker: well above the sender's 60 s function timeout. */
export const CLAIM_LEASE_MS = 5 * 60_000;

export type TakenClaimOutcome = 'duplicate' | 'claimed-elsewhere' | 'stranded';

/** What a request does when its email is already claimed by `holder`: drop, come back later, or strand the abandoned claim. */
export async function settleTakenClaim(request: SendRequest, holder: Send, now: Date, deps: { strandedClaims: Pick<StrandedClaimStore, 'markStranded'> }): Promise<TakenClaimOutcome> {
  if (holder.state !== 'claimed') return 'duplicate';
  if (now.getTime() - Date.parse(holder.claimedAt) < CLAIM_LEASE_MS) return 'claimed-elsewhere';
  // False: retaken or resolved since the claim was read; the next delivery looks again.
  return (await deps.strandedClaims.markStranded(holder, request, now)) ? 'stranded' : 'claimed-elsewhere';
}

export type StrandedResolution = 'marked-sent' | 'resent' | 'failed' | 'waiting' | 'changed';

export interface StrandedReport {
  send: Send;
  /** SES's message id when an SES event shows it took the email. */
  sesMessageId?: string;
  resolution?: StrandedResolution;
}

/**
 * Lists the stranded sends with what SES shows of each; with `resolve`, settles those stranded for
 * longer than `olderThanMs`: SES took it -> sent; otherwise resend, or fail when `giveUp`.
 */
export async function reviewStrandedClaims(
  options: { resolve: boolean; giveUp: boolean; olderThanMs: number },
  deps: { strandedClaims: StrandedClaimStore; sends: Pick<SendStore, 'markSent'>; clock: Clock },
): Promise<StrandedReport[]> {
  const now = deps.clock.now();
  const reports: StrandedReport[] = [];
  for (const send of await deps.strandedClaims.listStranded()) {
    const seen = await deps.strandedClaims.sesEventOf(send);
    const report: StrandedReport = { send, ...(seen ? { sesMessageId: seen.sesMessageId } : {}) };
    reports.push(report);
    if (!options.resolve) continue;
    if (now.getTime() - Date.parse(send.strandedAt ?? send.claimedAt) < options.olderThanMs) {
      report.resolution = 'waiting';
    } else if (seen) {
      // markSent moves the run's `sent` counter once and replaces the stranded listing with the message's.
      await deps.sends.markSent(send, seen.sesMessageId, new Date(seen.occurredAt), { ...(send.tier ? { tier: send.tier } : {}), ...(send.locale ? { locale: send.locale } : {}) });
      report.resolution = 'marked-sent';
    } else if (options.giveUp) {
      report.resolution = (await deps.strandedClaims.failStranded(send, 'stranded: the worker died before SES answered; given up by ops')) ? 'failed' : 'changed';
    } else {
      report.resolution = (await deps.strandedClaims.resendStranded(send, now)) ? 'resent' : 'changed';
    }
  }
  return reports;
}
