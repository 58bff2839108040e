/**
 * A fake SES that fails on purpose and remembers every email it accepted: throttling, 5xx (not
 * accepted), timeouts (accepted, but the caller only sees the timeout), a stretch of calls where
 * the account is refused, and workers that die mid-batch, just after SES accepted an email or just
 * before it reached SES. Its log of accepted emails is the ground truth for duplicates and losses.
 */
import { MailerError, type Mailer, type OutgoingEmail } from '../../core/ports.ts';

export interface SesFaultRates {
  throttled: number;
  serverError: number;
  /** Accepted by SES, but the answer never came back. */
  timeout: number;
  /** Calls (by number, from 0) during which SES refuses the account. */
  accountRefused: { from: number; to: number };
}

export interface AcceptedEmail {
  email: OutgoingEmail;
  sesMessageId: string;
}

/** How a worker dies: at its `atCall`-th SES call, after SES accepted that email or before it reached SES. */
export interface WorkerDeath {
  atCall: number;
  /** Whether SES took the email the worker died on; default: whichever kind has struck less often so far (a death whose batch ends before `atCall` never strikes). */
  sesTookIt?: boolean;
}

export class FaultySes {
  readonly accepted: AcceptedEmail[] = [];
  readonly injected = { throttled: 0, serverError: 0, timeout: 0, accountRefused: 0, killedAfterSes: 0, killedBeforeSes: 0 };
  private calls = 0;

  constructor(
    private readonly rates: SesFaultRates,
    private readonly random: () => number,
  ) {}

  /** The mailer one worker uses; with `death`, the worker dies at that call and never answers again. */
  workerMailer(death?: WorkerDeath): Mailer {
    let calls = 0;
    let dead = false;
    return {
      maxSendRate: async () => 1_000_000,
      send: async (email) => {
        if (dead) return never();
        if (death && calls++ === death.atCall) {
          dead = true;
          if (death.sesTookIt ?? this.injected.killedAfterSes <= this.injected.killedBeforeSes) {
            this.accept(email);
            this.injected.killedAfterSes++;
          } else this.injected.killedBeforeSes++;
          return never();
        }
        return this.send(email);
      },
    };
  }

  private async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const call = this.calls++;
    if (call >= this.rates.accountRefused.from && call < this.rates.accountRefused.to) {
      this.injected.accountRefused++;
      throw new MailerError('account-level', 'AccountSuspendedException');
    }
    const roll = this.random();
    if (roll < this.rates.throttled) {
      this.injected.throttled++;
      throw new MailerError('throttled', 'TooManyRequestsException');
    }
    if (roll < this.rates.throttled + this.rates.serverError) {
      this.injected.serverError++;
      throw new MailerError('unknown-outcome', 'InternalFailure (HTTP 500)');
    }
    if (roll < this.rates.throttled + this.rates.serverError + this.rates.timeout) {
      this.injected.timeout++;
      this.accept(email);
      throw new MailerError('unknown-outcome', 'TimeoutError: no answer within 10 s');
    }
    return { messageId: this.accept(email) };
  }

  private accept(email: OutgoingEmail): string {
    const sesMessageId = `ses-${String(this.accepted.length).padStart(6, '0')}`;
    this.accepted.push({ email, sesMessageId });
    return sesMessageId;
  }
}

/** A worker that died: its call never returns. */
function never(): Promise<never> {
  return new Promise<never>(() => {});
}
