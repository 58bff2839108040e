/**
 * The pause switch ops use: all sending, or one campaign or sequence, stops at once and resumes
 * where it stopped. A pause is a stored item (docs/sending.md, "Pausing"): the dispatcher parks
 * what it would queue, the sender parks what reaches it, the release job keeps parked sends parked;
 * nothing is failed or dropped, and on resume the release job queues them again. The sender's
 * claim-before-send makes a request that was both queued and parked go out once.
 */
import { z } from 'zod';

export const PAUSE_ALL = 'all';

export const sendingPauseSchema = z.strictObject({
  /** `all`, or the id of a campaign or sequence (the id its sends are filed under). */
  scope: z.string().min(1),
  reason: z.string().min(1).max(500),
  pausedAt: z.iso.datetime(),
  /** Who paused it, as they named themselves (an operator id, never an email in logs). */
  pausedBy: z.string().min(1).max(100).optional(),
});

export type SendingPause = z.infer<typeof sendingPauseSchema>;

/** The pause that stops emails filed under `messageId` (a campaign or sequence id), if any: all-sending first. */
export function pauseOf(pauses: readonly SendingPause[], messageId: string): SendingPause | undefined {
  return pauses.find((pause) => pause.scope === PAUSE_ALL) ?? pauses.find((pause) => pause.scope === messageId);
}

/** How long a parked send waits before the release job looks at it again while its pause lasts. */
export const PAUSED_RECHECK_MS = 5 * 60_000;
