/**
 * Durations as the marketing team writes them in config ("30m", "2h", "3d", "1w").
 * Kept as milliseconds once parsed so the core never re-parses strings.
 */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const DURATION_PATTERN = /^(\d+)(m|h|d|w)$/;

/** Returns milliseconds, or undefined when the text is not a duration like 2h or 1d. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

export const DURATION_HINT = 'expected a duration like 30m, 2h, 1d or 1w';
