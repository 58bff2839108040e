/**
 * `npm run health -- <accountId> [--at <ISO time>] [--json]`: an account's DEAR health score
 * (docs/scoring.md) as the engine computes it now: each dimension with its inputs (value, target,
 * score, when the figure was reported), the total, the band, and the inputs with no figure yet.
 *
 * Target: the local engine's table (like import and pause: DYNAMODB_ENDPOINT + TABLE_NAME, or the
 * DynamoDB Local of `npm start`), or a deployed stage's table with `--aws-table <name>`.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { Store } from '../core/ports.ts';
import type { Scoring } from '../core/config/schema/scoring.ts';
import { readAccountHealth, type AccountHealth } from '../core/scoring/health-score.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';
import { withToolStore } from '../local/local-store-session.ts';


async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: 'npm run health -- <accountId> [--at <ISO time>] [--json]',
      summary: "An account's DEAR health score (Deployment, Engagement, Adoption, ROI): components, total, band and missing inputs.",
      options: {
        at: { type: 'string' },
        json: { type: 'boolean' },
        'aws-table': { type: 'string' },
      },
      optionHelp: {
        at: 'compute the engagement score as of this time (default: now), e.g. 2026-12-10T09:00:00+09:00',
        json: 'print the score as JSON',
        'aws-table': AWS_TABLE_HELP,
      },
    },
    projectRoot,
  );
  const [accountId] = positionals;
  if (accountId === undefined || positionals.length > 1) throw new UsageError('usage: npm run health -- <accountId> [--at <ISO time>] [--json]');
  const now = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--at: expected an ISO-8601 time like 2026-12-10T09:00:00+09:00, got '${values.at}'`);
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));

  await withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, async (store: Store) => {
    const account = await store.customers.getAccount(accountId);
    if (!account) throw new Error(`no account '${accountId}' in the table: import it first (npm run import)`);
    const health = await readAccountHealth(accountId, { usage: store.usage, scores: store.scores, surveys: store.surveys, scoring: config.scoring, now });
    if (values.json) console.log(JSON.stringify({ accountId, at: now.toISOString(), engagementScore: health.engagementScore, ...health.health, latest: health.latest?.metrics ?? {} }, null, 2));
    else console.log(describe(`${account.accountId} (${account.name}, ${account.tier}, ${account.phase})`, health, config.scoring, now));
  });
}

const figure = (value: number | undefined) => (value === undefined ? '-' : Number.isFinite(value) ? String(Math.round(value * 100) / 100) : 'n/0');
const score = (value: number) => value.toFixed(1).padStart(5);

function describe(title: string, { health, latest }: AccountHealth, scoring: Scoring, now: Date): string {
  const { bands } = scoring.health;
  const lines = [
    `account ${title}, as of ${now.toISOString()}`,
    `health ${health.total.toFixed(1)} / 100: ${health.band} (healthy from ${bands.healthy.minScore}, watch from ${bands.watch.minScore}, at-risk below)`,
    '',
  ];
  for (const component of health.components) {
    lines.push(`${component.dimension.padEnd(12)} ${score(component.score)}   weight ${component.weight}`);
    for (const input of component.inputs) {
      const reported = input.label
        .split(' / ')
        .map((metric) => latest?.metrics[metric]?.at)
        .filter((at): at is string => at !== undefined)
        .sort()[0];
      const value = input.missingMetrics.length > 0 ? `missing ${input.missingMetrics.join(', ')}` : `${figure(input.value)} of target ${input.target}`;
      lines.push(`  ${input.label.padEnd(34)} ${score(input.score)}   ${value}, weight ${input.weight}${reported ? `, reported ${reported}` : ''}`);
    }
  }
  lines.push('');
  if (health.missing.length === 0) lines.push('missing inputs: none');
  else {
    lines.push('missing inputs (each scores 0 until the usage feed reports it):');
    for (const missing of health.missing) lines.push(`  ${missing.dimension}: ${missing.input} (no ${missing.metrics.join(', ')} reported)`);
  }
  return lines.join('\n');
}

runCommand(main);
