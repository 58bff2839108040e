/**
 * How long a person watched a webinar session, from the join/leave intervals the platform reports
 * (Zoom participant_joined / participant_left, an attendance CSV): overlapping intervals merged
 * (two devices, a duplicated row), rejoins summed, everything clipped to the session's actual span
 * (its real start to its real end, which may run past the schedule), and the share of the session
 * watched. Pure; the same intervals in any order give the same answer.
 */

/** One stay in the session; `leftAt` absent when the platform never reported the leave (it ends with the session). */
export interface AttendanceInterval {
  joinedAt: Date;
  leftAt?: Date;
}

/** When the session really ran. */
export interface SessionSpan {
  startedAt: Date;
  endedAt: Date;
}

export interface WatchTime {
  /** Watched time within the session, in whole seconds. */
  seconds: number;
  /** The same in minutes, one decimal (what reports show). */
  minutes: number;
  /** Watched share of the session, 0..1. */
  share: number;
  /** First join and last leave within the session, undefined when the person never overlapped it. */
  firstJoinedAt?: Date;
  lastLeftAt?: Date;
}

export function watchTimeOf(intervals: readonly AttendanceInterval[], session: SessionSpan): WatchTime {
  const start = session.startedAt.getTime();
  const end = session.endedAt.getTime();
  if (!(end > start)) throw new RangeError(`the session must end after it starts (${session.startedAt.toISOString()} .. ${session.endedAt.toISOString()})`);
  const clipped = intervals
    .map(({ joinedAt, leftAt }) => [Math.max(start, joinedAt.getTime()), Math.min(end, (leftAt ?? session.endedAt).getTime())] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let watchedMs = 0;
  let current: [number, number] | undefined;
  for (const [from, to] of clipped) {
    if (current && from <= current[1]) current[1] = Math.max(current[1], to);
    else {
      if (current) watchedMs += current[1] - current[0];
      current = [from, to];
    }
  }
  if (current) watchedMs += current[1] - current[0];
  const seconds = Math.round(watchedMs / 1000);
  const first = clipped[0];
  const lastLeft = clipped.reduce((latest, [, to]) => Math.max(latest, to), Number.NEGATIVE_INFINITY);
  return {
    seconds,
    minutes: Math.round(watchedMs / 6_000) / 10,
    share: Math.min(1, watchedMs / (end - start)),
    ...(first ? { firstJoinedAt: new Date(first[0]), lastLeftAt: new Date(lastLeft) } : {}),
  };
}
