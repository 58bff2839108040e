/**
 * `npm run survey -- results <survey-id> [--by survey|tier|account|month] [--format table|csv|json]`:
 * a survey's NPS (promoters 9-10 minus detractors 0-6, in % of the contacts who answered; the
 * latest answer per contact), as a whole, per tier or per account (docs/surveys.md).
 *
 * Target: the local engine's table (DYNAMODB_ENDPOINT + TABLE_NAME, or the DynamoDB Local of
 * `npm start`), or a deployed stage's table with `--aws-table <name>`. Reads only.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { Store } from '../core/ports.ts';
import { npsBy, type NpsBreakdown } from '../core/surveys/nps.ts';
import { formatNpsResults, RESULT_FORMATS, type ResultFormat } from '../core/surveys/survey-results.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';
import { withToolStore } from '../local/local-store-session.ts';

const USAGE = 'npm run survey -- results <survey-id> [--by survey|tier|account|month] [--format table|csv|json]';
const BREAKDOWNS: readonly NpsBreakdown[] = ['survey', 'tier', 'account', 'month'];

async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: USAGE,
      summary: "A survey's NPS (promoters minus detractors, %), as a whole, per tier, per account or per month, from the stored answers.",
      options: {
        by: { type: 'string' },
        format: { type: 'string' },
        'aws-table': { type: 'string' },
      },
      optionHelp: {
        by: 'survey (default: one row), tier, account or month (each contact\'s latest answer of the month)',
        format: 'table (default), csv or json',
        'aws-table': AWS_TABLE_HELP,
      },
    },
    projectRoot,
  );
  const [command, surveyId, ...extra] = positionals;
  if (command !== 'results' || surveyId === undefined || extra.length > 0) throw new UsageError(`usage: ${USAGE}`);
  const by = (values.by ?? 'survey') as NpsBreakdown;
  if (!BREAKDOWNS.includes(by)) throw new UsageError(`--by: expected one of ${BREAKDOWNS.join(', ')}, got '${values.by}'`);
  const format = (values.format ?? 'table') as ResultFormat;
  if (!RESULT_FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${RESULT_FORMATS.join(', ')}, got '${values.format}'`);
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  if (!config.surveys.some((survey) => survey.id === surveyId)) {
    throw new UsageError(`unknown survey '${surveyId}': the config declares ${config.surveys.map((survey) => survey.id).join(', ') || 'none (kind: survey in campaigns/)'}`);
  }
  await withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, async (store: Store) => {
    const answers = await store.surveys.listAnswers(surveyId);
    console.log(formatNpsResults(surveyId, by, npsBy(answers, by), format));
  });
}

runCommand(main);
