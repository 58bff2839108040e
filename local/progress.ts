/**
 * Progress of a long command on a terminal: `label: done / total (pct), rate/s, about N s left`,
 * redrawn in place a few times a second. Silent when the stream is not a terminal (a log file,
 * a pipe, a test), so logs hold only the outcome.
 */

export interface Progress {
  /** `by` more items are done. */
  advance(by?: number): void;
  /** Some items will not be done after all (e.g. rows rejected before writing). */
  setTotal(total: number): void;
  /** Draws the last state and ends the line; idempotent. */
  finish(): void;
}

export interface ProgressState {
  label: string;
  done: number;
  total: number | undefined;
  elapsedMs: number;
}

const REDRAW_MS = 200;

export function progressOn(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, total?: number, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return { advance: () => undefined, setTotal: () => undefined, finish: () => undefined };
  const startedAt = now();
  let done = 0;
  let currentTotal = total;
  let drawnAt = 0;
  let drawn = false;
  let finished = false;
  const draw = () => {
    stream.write(`\r\x1b[2K${formatProgress({ label, done, total: currentTotal, elapsedMs: now() - startedAt })}`);
    drawn = true;
    drawnAt = now();
  };
  return {
    advance(by = 1) {
      if (finished) return;
      done += by;
      if (now() - drawnAt >= REDRAW_MS) draw();
    },
    setTotal(value) {
      currentTotal = value;
    },
    finish() {
      if (finished) return;
      finished = true;
      if (!drawn && done === 0) return;
      draw();
      stream.write('\n');
    },
  };
}

/** One line: what, how far, how fast, how long still (when the total is known). */
export function formatProgress({ label, done, total, elapsedMs }: ProgressState): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const parts = [total === undefined ? `${done.toLocaleString('en-US')} done` : `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${total > 0 ? Math.floor((done / total) * 100) : 100} %)`];
  if (done > 0 && seconds >= 0.5) parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`);
  if (total !== undefined && done >= total) parts.push(`${formatDuration(seconds)} in all`);
  else if (total !== undefined && rate > 0 && seconds >= 1) parts.push(`about ${formatDuration((total - done) / rate)} left`);
  else parts.push(`${formatDuration(seconds)} so far`);
  return `${label}: ${parts.join(', ')}`;
}

function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
