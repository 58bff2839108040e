/**
 * Durations as the team writes them (30m, 2h, 3d, 1w) and the one-line problem format every
 * tool prints (`file: path: message (line N)`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../core/config/duration.ts';
import { formatPath, formatProblem, InvalidConfigError } from '../../../core/config/problems.ts';

describe('parseDuration', () => {
  it('reads minutes, hours, days and weeks as milliseconds', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('2h')).toBe(2 * 3_600_000);
    expect(parseDuration('14d')).toBe(14 * 86_400_000);
    expect(parseDuration('1w')).toBe(7 * 86_400_000);
    expect(parseDuration('0d')).toBe(0);
  });

  it.each(['2 hours', '2H', '1.5h', '-1d', 'h', '2', '2s', '1y', ''])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('is additive: n units is n times one unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('m', 'h', 'd', 'w'), (amount, unit) => {
        expect(parseDuration(`${amount}${unit}`)).toBe(amount * (parseDuration(`1${unit}`) ?? Number.NaN));
      }),
    );
  });
});

describe('problem format', () => {
  it('writes list indexes in brackets and fields with dots', () => {
    expect(formatPath(['steps', 1, 'wait'])).toBe('steps[1].wait');
    expect(formatPath(['audience', 'engagementBands', 0])).toBe('audience.engagementBands[0]');
    expect(formatPath(['weights', 'click'])).toBe('weights.click');
    expect(formatPath([])).toBe('');
  });

  it('prints file: path: message (line N)', () => {
    expect(formatProblem({ file: 'campaigns/newsletter.yaml', path: 'schedule.cron', message: 'invalid cron', line: 9 })).toBe(
      'campaigns/newsletter.yaml: schedule.cron: invalid cron (line 9)',
    );
  });

  it('says (file) for a problem with the whole file, and leaves out an unknown line', () => {
    expect(formatProblem({ file: 'campaigns', path: 'kind', message: "no file of kind 'scoring'" })).toBe("campaigns: kind: no file of kind 'scoring'");
    expect(formatProblem({ file: 'campaigns/x.yaml', path: '', message: 'not valid YAML', line: 2 })).toBe('campaigns/x.yaml: (file): not valid YAML (line 2)');
  });

  it('InvalidConfigError lists every problem, one per line', () => {
    const error = new InvalidConfigError([
      { file: 'a.yaml', path: 'id', message: 'bad id', line: 4 },
      { file: 'b.yaml', path: 'weights.click', message: 'weights must be 0 or more, got -3' },
    ]);
    expect(error.message).toBe('config has 2 problem(s):\na.yaml: id: bad id (line 4)\nb.yaml: weights.click: weights must be 0 or more, got -3');
  });
});
