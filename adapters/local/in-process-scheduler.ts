/**
 * The local stand-in for EventBridge Scheduler: croner jobs in this process, each cron in its
 * IANA zone, one-off jobs at their instant. A job that throws is logged and fires again next time.
 */
import { Cron } from 'croner';
import { nextFireTime } from '../../core/campaigns/campaign-schedule.ts';
import type { Clock, ScheduledJob, Scheduler } from '../../core/ports.ts';

export class InProcessScheduler implements Scheduler {
  private readonly crons: Cron[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly onError: (jobId: string, error: unknown) => void,
  ) {}

  add(job: ScheduledJob): void {
    const fire = async (scheduledFor: Date) => {
      try {
        await job.run(scheduledFor);
      } catch (error) {
        this.onError(job.id, error);
      }
    };
    if (job.schedule.cron !== undefined) {
      const cron: Cron = new Cron(job.schedule.cron, { timezone: job.schedule.timezone, protect: true }, () => {
        // croner calls back at the due minute; the due instant (not "now") identifies the run.
        const due = new Date(Math.floor(this.clock.now().getTime() / 60_000) * 60_000);
        void fire(due);
      });
      this.crons.push(cron);
      return;
    }
    const at = nextFireTime(job.schedule, this.clock.now());
    if (at) this.crons.push(new Cron(at, { protect: true }, () => void fire(at)));
  }

  /** Next fire time of each job, for the start-up banner. */
  nextRuns(): Array<Date | null> {
    return this.crons.map((cron) => cron.nextRun());
  }

  stop(): void {
    for (const cron of this.crons) cron.stop();
    this.crons.length = 0;
  }
}
