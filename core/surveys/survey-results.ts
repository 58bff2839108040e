/**
 * `npm run survey -- results`'s output, pure: NPS rows as an aligned table, CSV (RFC 4180) or JSON.
 * Whole-number NPS and one-decimal means, as customer-success teams read them.
 */
import type { NpsBreakdown, NpsRow } from './nps.ts';

export const RESULT_FORMATS = ['table', 'csv', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

const rounded = (value: number | undefined, digits: number) => (value === undefined ? undefined : Math.round(value * 10 ** digits) / 10 ** digits);

export function formatNpsResults(surveyId: string, by: NpsBreakdown, rows: readonly NpsRow[], format: ResultFormat): string {
  const records = rows.map((row) => ({ [by]: row.key, nps: rounded(row.nps, 1), answers: row.answers, promoters: row.promoters, passives: row.passives, detractors: row.detractors, meanScore: rounded(row.meanScore, 1) }));
  if (format === 'json') return JSON.stringify({ survey: surveyId, by, rows: records }, null, 2);
  const header = [by, 'nps', 'answers', 'promoters', 'passives', 'detractors', 'meanScore'];
  const cells = records.map((record) => header.map((column) => (record[column] === undefined ? '' : String(record[column]))));
  if (format === 'csv') return [header, ...cells].map((line) => line.map(csvCell).join(',')).join('\n');
  const widths = header.map((column, index) => Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length)));
  const line = (values: readonly string[]) => values.map((value, index) => (index === 0 ? value.padEnd(widths[index] ?? 0) : value.padStart(widths[index] ?? 0))).join('  ');
  const body = cells.length === 0 ? ['(no answers yet)'] : cells.map(line);
  return [`survey ${surveyId}, NPS by ${by} (promoters 9-10 minus detractors 0-6, % of contacts; latest answer per contact)`, line(header), ...body].join('\n');
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
