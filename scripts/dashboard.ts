/**
 * `npm run dashboard -- link [--minutes N]`: a login link for the dashboard (GET /dashboard), signed
 * with the dashboard secret; opening it starts a 12-hour session in that browser (http/dashboard-auth.ts).
 *   local (default): the secret in the data folder (`dashboard-secret`, or DASHBOARD_SECRET) and the
 *                    address of the engine `npm start` runs
 *   AWS:             --aws-secret <Secrets Manager id of the stage's dashboard secret> --url <the API's URL>
 *                    (`cdk deploy` prints both as outputs); your AWS credentials must allow reading it,
 *                    which is who may open the dashboard
 */
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_LOGIN_MINUTES, mintDashboardLink } from '../http/dashboard-auth.ts';
import { UsageError, readCommandLine, runCommand } from '../local/command-line.ts';
import { DASHBOARD_SECRET_FILE, localSecret } from '../local/local-secret.ts';

const USAGE = [
  'usage: npm run dashboard -- link [--minutes N]                                  the local engine (npm start)',
  '       npm run dashboard -- link --aws-secret <secret id> --url <https://api...>   a deployed stage',
].join('\n');

async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: 'npm run dashboard -- link [--minutes N] [--aws-secret <id> --url <api url>]',
      summary: `A login link for the dashboard (valid ${DEFAULT_LOGIN_MINUTES} minutes unless --minutes says otherwise).\n${USAGE}`,
      options: { minutes: { type: 'string' }, 'aws-secret': { type: 'string' }, url: { type: 'string' } },
      optionHelp: {
        minutes: `how long the link may be used to log in (1-1440, default ${DEFAULT_LOGIN_MINUTES}); the session it starts lasts 12 hours`,
        'aws-secret': "the deployed stage's dashboard secret (Secrets Manager name or ARN; output DashboardSecretArn)",
        url: "the deployed stage's HTTP API URL (output HttpApiUrl); required with --aws-secret",
      },
    },
    projectRoot,
  );
  if (positionals[0] !== 'link' || positionals.length > 1) throw new UsageError(USAGE);
  const minutes = values.minutes === undefined ? DEFAULT_LOGIN_MINUTES : Number(values.minutes);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) throw new UsageError(`--minutes: a whole number of minutes from 1 to 1440, got '${values.minutes}'`);
  if (values['aws-secret'] !== undefined) {
    if (!values.url) throw new UsageError(`--url: the API's URL is needed with --aws-secret\n${USAGE}`);
    if (!/^https:\/\//u.test(values.url)) throw new UsageError(`--url: expected the API's https:// URL, got '${values.url}'`);
    const client = new SecretsManagerClient({});
    try {
      const secret = await client.send(new GetSecretValueCommand({ SecretId: values['aws-secret'] }));
      if (!secret.SecretString) throw new UsageError(`${values['aws-secret']}: the secret has no string value`);
      console.log(await mintDashboardLink(secret.SecretString, values.url, new Date(), minutes));
    } finally {
      client.destroy();
    }
    return;
  }
  const secret = await localSecret(settings.dataDir, DASHBOARD_SECRET_FILE, process.env.DASHBOARD_SECRET);
  const baseUrl = values.url ?? `http://127.0.0.1:${settings.enginePort}`;
  console.log(await mintDashboardLink(secret, baseUrl, new Date(), minutes));
  if (!settings.runningEngine) console.error(`note: no engine is running from ${settings.dataDir}; start it (npm start) before opening the link`);
}

runCommand(main);
