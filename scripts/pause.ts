/**
 * `npm run pause -- [--campaign <id>] --reason "..."` and `npm run resume -- [--campaign <id>]`:
 * the pause switch. Without --campaign, all sending; with it, one campaign or sequence (its id).
 * `npm run pause -- --status` lists the current pauses. A paused run resumes where it stopped
 * and sends nothing twice (docs/sending.md, "Pausing").
 *
 * Target: the local engine's table (like import and audience: DYNAMODB_ENDPOINT + TABLE_NAME, or
 * the DynamoDB Local of `npm start`), or a deployed stage's table with `--aws-table <name>`
 * (AWS credentials and region from the environment, as the AWS CLI takes them).
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { SendingPauseStore } from '../core/ports.ts';
import { PAUSE_ALL, type SendingPause } from '../core/sending/sending-pause.ts';
import { withToolStore } from '../local/local-store-session.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';

const USAGE = [
  'usage: npm run pause -- [--campaign <campaign-or-sequence-id>] --reason "<why>" [--by <operator>]',
  '       npm run resume -- [--campaign <campaign-or-sequence-id>]',
  '       npm run pause -- --status',
  'target: the local engine (as npm run import), or --aws-table <deployed table name> with AWS credentials',
].join('\n');


async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: 'npm run pause -- [--campaign <id>] --reason "<why>" | npm run resume -- [--campaign <id>] | npm run pause -- --status',
      summary: 'The pause switch: stops all sending (or one campaign or sequence) at once; resume sends what was parked, nothing twice.',
      options: {
        campaign: { type: 'string' },
        reason: { type: 'string' },
        by: { type: 'string' },
        status: { type: 'boolean' },
        'aws-table': { type: 'string' },
      },
      optionHelp: {
        campaign: 'a campaign, sequence or webinar id (default: all sending)',
        reason: 'why (required to pause): shown on the home page and by --status',
        by: 'who paused it (an operator id)',
        status: 'list the current pauses and change nothing',
        'aws-table': AWS_TABLE_HELP,
      },
    },
    projectRoot,
  );
  const [command] = positionals;
  if ((command !== 'pause' && command !== 'resume') || positionals.length > 1) throw new UsageError(USAGE);
  const scope = values.campaign ?? PAUSE_ALL;
  if (values.campaign !== undefined) {
    // A typo would pause nothing: the id must be a campaign or sequence of the config.
    const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
    const known = [...config.campaigns.map((campaign) => campaign.id), ...config.sequences.map((sequence) => sequence.id), ...config.webinars.map((webinar) => webinar.id)];
    if (!known.includes(values.campaign)) throw new UsageError(`--campaign: no campaign, sequence or webinar '${values.campaign}'; known: ${known.join(', ')}`);
  }
  if (command === 'pause' && !values.status && !values.reason) throw new UsageError(`--reason is required: say why, for the people who see the pause\n${USAGE}`);

  const act = async (pauses: SendingPauseStore) => {
    if (values.status) return describe(await pauses.listPauses());
    if (command === 'pause') {
      const pause: SendingPause = { scope, reason: values.reason as string, pausedAt: new Date().toISOString(), ...(values.by ? { pausedBy: values.by } : {}) };
      await pauses.pause(pause);
      console.log(`paused ${scope === PAUSE_ALL ? 'all sending' : `'${scope}'`}: nothing is sent until npm run resume${scope === PAUSE_ALL ? '' : ` -- --campaign ${scope}`}; queued and scheduled emails wait, parked`);
    } else {
      const resumed = await pauses.resume(scope);
      console.log(resumed ? `resumed ${scope === PAUSE_ALL ? 'all sending' : `'${scope}'`}: parked emails go out with the next release (within a minute)` : `${scope === PAUSE_ALL ? 'sending' : `'${scope}'`} was not paused`);
    }
    describe(await pauses.listPauses());
  };

  await withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, (store) => act(store.pauses));
}

function describe(pauses: readonly SendingPause[]): void {
  if (pauses.length === 0) {
    console.log('now: sending is not paused');
    return;
  }
  for (const pause of pauses) {
    console.log(`now paused: ${pause.scope === PAUSE_ALL ? 'all sending' : pause.scope} since ${pause.pausedAt}${pause.pausedBy ? ` by ${pause.pausedBy}` : ''}: ${pause.reason}`);
  }
}

runCommand(main);
