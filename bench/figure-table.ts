/** Formats figures and other rows of numbers as an aligned plain-text table. */
import type { Figures } from './bench.ts';
import { formatTable } from '../local/text-table.ts';

export { formatTable };

export function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatFigures(figures: Figures): string[] {
  return formatTable(
    ['figure', 'value'],
    Object.entries(figures).map(([name, value]) => [name, formatNumber(value)]),
  );
}
