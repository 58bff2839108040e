/**
 * `npm run sends -- stranded [--resolve [--give-up]] [--older-than 1h] [--format table|json]`:
 * the claims a dead sender worker left behind (core/sending/stranded-claims.ts). Lists each
 * stranded send with what SES shows of it; `--resolve` marks sent those SES took (a send or
 * delivery event was recorded for them) and sends the others again (parked due now: the release
 * job queues them within a minute, frequency caps checked again), or with `--give-up` marks them
 * failed. Only claims stranded for longer than `--older-than` are resolved, so SES's events have
 * had time to arrive. Ids only in the output, never an address.
 *
 * Target: the local engine's table (as `npm run pause`), or `--aws-table <name>`.
 */
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../core/config/duration.ts';
import { reviewStrandedClaims, type StrandedReport } from '../core/sending/stranded-claims.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { withToolStore } from '../local/local-store-session.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';

const USAGE = 'usage: npm run sends -- stranded [--resolve [--give-up]] [--older-than <duration, e.g. 1h>] [--format table|json] [--aws-table <name>]';

async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: USAGE,
      summary: 'Sends a dead worker left claimed: whether SES took each one, and resolving them (sent, sent again, or given up).',
      options: {
        resolve: { type: 'boolean' },
        'give-up': { type: 'boolean' },
        'older-than': { type: 'string' },
        format: { type: 'string' },
        'aws-table': { type: 'string' },
      },
      optionHelp: {
        resolve: 'mark sent what SES took, send the rest again',
        'give-up': 'with --resolve: mark the ones SES shows nothing of failed instead of sending them again',
        'older-than': 'resolve only claims stranded for longer than this (default 1h)',
        format: 'table (default) or json',
        'aws-table': AWS_TABLE_HELP,
      },
    },
    projectRoot,
  );
  if (positionals.length !== 1 || positionals[0] !== 'stranded') throw new UsageError(USAGE);
  const olderThanMs = values['older-than'] === undefined ? 3_600_000 : parseDuration(values['older-than']);
  if (olderThanMs === undefined) throw new UsageError(`--older-than: expected a duration like 30m, 1h or 2d, got '${values['older-than']}'`);
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format: expected table or json, got '${format}'`);
  if (values['give-up'] && !values.resolve) throw new UsageError(`--give-up goes with --resolve\n${USAGE}`);

  const reports = await withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, (store) =>
    reviewStrandedClaims({ resolve: values.resolve === true, giveUp: values['give-up'] === true, olderThanMs }, { strandedClaims: store.strandedClaims, sends: store.sends, clock: systemClock }),
  );
  if (format === 'json') {
    console.log(JSON.stringify(reports.map(rowOf), null, 2));
    return;
  }
  if (reports.length === 0) {
    console.log('no stranded sends');
    return;
  }
  console.log(['campaign', 'run', 'contact', 'claimed at', 'SES took it', 'resolution'].join('\t'));
  for (const report of reports) {
    const row = rowOf(report);
    console.log([row.campaignId, row.runId, row.contactId, row.claimedAt, row.sesMessageId ? `yes (${row.sesMessageId})` : 'no event', row.resolution ?? '-'].join('\t'));
  }
  const counts = new Map<string, number>();
  for (const report of reports) counts.set(report.resolution ?? 'listed', (counts.get(report.resolution ?? 'listed') ?? 0) + 1);
  console.log(`${reports.length} stranded send(s): ${[...counts].map(([what, count]) => `${count} ${what}`).join(', ')}`);
}

function rowOf(report: StrandedReport) {
  const { send } = report;
  return { campaignId: send.campaignId, runId: send.runId, contactId: send.contactId, claimedAt: send.claimedAt, strandedAt: send.strandedAt, sesMessageId: report.sesMessageId, resolution: report.resolution };
}

runCommand(main);
