/** What a history import did, for people: the progress line and the closing report with each refused line. */
import { formatLineProblems } from './history-line.ts';
import { REPORTED_REFUSALS, REPORTED_UNKNOWN_LINES, type HistoryImportReport } from './import-history.ts';

/** `history: 12,000 lines read, 11,800 recorded (1,200 machine), 0 duplicates, 3 refused, 20 unknown contacts` */
export function describeHistoryProgress(report: Readonly<HistoryImportReport>, elapsedMs?: number): string {
  const number = (value: number) => value.toLocaleString('en-US');
  const rate = elapsedMs !== undefined && elapsedMs > 0 ? `, ${number(Math.round((report.lines * 1000) / elapsedMs))} lines/s` : '';
  return (
    `history: ${number(report.lines)} lines read, ${number(report.recorded)} recorded (${number(report.machine)} machine), ` +
    `${number(report.duplicates)} duplicates, ${number(report.refused)} refused, ${number(report.unknownContacts)} unknown contacts${rate}`
  );
}

export function describeHistoryImport(report: Readonly<HistoryImportReport>, source: string): string[] {
  const lines = [describeHistoryProgress(report)];
  if (report.suppressed > 0) lines.push(`  ${report.suppressed} address(es) suppressed (hard bounce, complaint or unsubscribe in the history)`);
  for (const [reason, count] of Object.entries(report.skipped)) lines.push(`  skipped ${count} line(s): ${reason}`);
  for (const refused of report.refusedLines) lines.push(`  refused ${source} line ${refused.line}: ${formatLineProblems(refused.problems)}`);
  if (report.refused > report.refusedLines.length) lines.push(`  (and ${report.refused - report.refusedLines.length} more refused lines; the first ${REPORTED_REFUSALS} are listed)`);
  if (report.unknownContacts > 0) {
    const more = report.unknownContacts > report.unknownContactLines.length ? `, ... (first ${REPORTED_UNKNOWN_LINES} listed)` : '';
    lines.push(`  unknown contacts (not written; import them first) at ${source} line(s) ${report.unknownContactLines.join(', ')}${more}`);
  }
  return lines;
}
