/** The wall clock, for the local runtime and Lambda. */
import type { Clock } from '../../core/ports.ts';

export const systemClock: Clock = { now: () => new Date() };
