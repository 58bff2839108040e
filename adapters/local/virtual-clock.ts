/**
 * A clock and scheduler that move only when told: the demo and tests replay weeks of
 * schedules in seconds, firing every due job in time order, exactly as the real scheduler would.
 */
import { nextFireTime } from '../../core/campaigns/campaign-schedule.ts';
import type { Clock, ScheduledJob, Scheduler } from '../../core/ports.ts';

export class VirtualClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date): void {
    if (to.getTime() < this.current.getTime()) throw new Error(`the virtual clock cannot go back (from ${this.current.toISOString()} to ${to.toISOString()})`);
    this.current = new Date(to);
  }
}

export class VirtualScheduler implements Scheduler {
  private readonly jobs: ScheduledJob[] = [];

  constructor(private readonly clock: VirtualClock) {}

  add(job: ScheduledJob): void {
    this.jobs.push(job);
  }

  stop(): void {
    this.jobs.length = 0;
  }

  /** Moves the clock to `until`, running each due job at its due time, earliest first. */
  async advanceTo(until: Date): Promise<number> {
    let fired = 0;
    for (;;) {
      const now = this.clock.now();
      const due = this.jobs
        .map((job) => ({ job, at: nextFireTime(job.schedule, new Date(now.getTime() - 1)) }))
        .filter((entry): entry is { job: ScheduledJob; at: Date } => entry.at !== undefined && entry.at.getTime() <= until.getTime())
        .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
      if (!due) break;
      this.clock.set(due.at);
      await due.job.run(due.at);
      fired++;
      // Step past this instant so the same firing is not picked again.
      this.clock.set(new Date(due.at.getTime() + 1));
    }
    this.clock.set(until);
    return fired;
  }
}
