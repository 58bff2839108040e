/**
 * The gate a send batch passes through on its way to the mailer. Until SES has accepted one email
 * of the batch, emails go one at a time; after that, all at once (still paced by the send-rate
 * limiter). So when SES refuses the account itself (sending paused, credentials revoked), the
 * batch learns it from one call, halts, and the rest is neither claimed nor sent.
 */

/** Why a batch stopped taking work; every record not done is returned for retry. */
export interface BatchHalt {
  /** SES refused the account or its setup, not an email. */
  reason: 'account-level';
  /** The provider's error name (e.g. SendingPausedException): no address, safe to log. */
  errorName: string;
}

export class BatchSendGate {
  private open = false;
  private tail: Promise<void> = Promise.resolve();
  private haltedBy: BatchHalt | undefined;

  get halted(): BatchHalt | undefined {
    return this.haltedBy;
  }

  /**
   * Runs `attempt` (claim, render, call the mailer) alone while the batch has no accepted email,
   * concurrently once it has. The next waiting attempt goes when the current one ends, whatever
   * its outcome: a duplicate or a skipped email says nothing about the account.
   */
  async pass<T>(attempt: () => Promise<T>): Promise<T> {
    if (this.open) return attempt();
    const previous = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => {
      done = resolve;
    });
    await previous;
    if (this.open) {
      done();
      return attempt();
    }
    try {
      return await attempt();
    } finally {
      done();
    }
  }

  /** SES accepted an email: the account works, the rest of the batch may go in parallel. */
  accepted(): void {
    this.open = true;
  }

  /** The first halt wins: later refusals in the same batch are the same outage. */
  halt(halt: BatchHalt): void {
    this.haltedBy ??= halt;
  }
}
