/**
 * `npm run demo`: a scripted end-to-end scenario on a virtual clock. Validates the config,
 * starts DynamoDB Local and the SES emulator (in memory, free ports), imports the demo
 * customers through the CSV path (twice: the second import changes nothing), imports a file
 * with bad rows, then replays the schedules from 2026-11-23 to 2026-12-31 and re-fires one
 * run to show it is not started twice. Prints a summary and exits 0; stops everything it started.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import { VirtualClock, VirtualScheduler } from '../adapters/local/virtual-clock.ts';
import { startCampaignRun } from '../core/campaigns/start-campaign-run.ts';
import { formatProblem } from '../core/config/problems.ts';
import { TIERS } from '../core/config/schema/common.ts';
import type { Contact } from '../core/customers/contact.ts';
import { importCsvFiles, writeDemoCsv } from './demo-customer-load.ts';
import { wireLocalEngine } from './engine-wiring.ts';
import { describeImport } from './import-report.ts';
import { startLocalServices } from './local-services.ts';
import { freePort } from './ports.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const DEMO_START = new Date('2026-11-23T00:00:00Z');
const DEMO_END = new Date('2026-12-31T23:59:59Z');
const TABLE = 'nurture-engine-demo';

const section = (title: string) => console.log(`\n== ${title}`);

section('1. config');
const configResult = await loadConfigDirectory(defaultConfigLocation(projectRoot));
if (!configResult.ok) {
  for (const problem of configResult.problems) console.error(formatProblem(problem));
  console.error('demo stopped: fix the config first (npm run validate)');
  process.exit(1);
}
const config = configResult.config;
console.log(
  `validated: ${config.campaigns.length} campaigns, ${config.sequences.length} sequence, ${config.webinarPolicies.length} webinar policy, ` +
    `${config.templates.size} templates x ja/en, ${config.senders.identities.length} senders, ${config.topics.topics.length} topics`,
);

section('2. local services');
const services = await startLocalServices({ dynamodbPort: await freePort(), sesPort: await freePort(), tableName: TABLE });
console.log(`DynamoDB Local ${services.dynamo.endpoint} (in memory), SES emulator ${services.ses.endpoint}, table ${TABLE}`);
const workDir = await mkdtemp(join(tmpdir(), 'nurture-demo-'));
let exitCode = 0;
try {
  const clock = new VirtualClock(DEMO_START);
  const runsStarted = new Map<string, number>();
  const engine = wireLocalEngine({
    client: services.client,
    tableName: TABLE,
    config,
    clock,
    onRun: (campaignId, outcome) => {
      if (outcome.outcome === 'started') runsStarted.set(campaignId, (runsStarted.get(campaignId) ?? 0) + 1);
      console.log(`  ${clock.now().toISOString()}  ${campaignId}: run ${outcome.outcome === 'started' ? outcome.run.runId : outcome.runId} ${outcome.outcome}`);
    },
  });

  section('3. customers: demo data through the CSV import');
  const { accountsCsv, contactsCsv } = await writeDemoCsv(workDir);
  for (const line of describeImport(await importCsvFiles(accountsCsv, contactsCsv, engine.store.customers, clock))) console.log(line);
  console.log('same files again:');
  for (const line of describeImport(await importCsvFiles(accountsCsv, contactsCsv, engine.store.customers, clock))) console.log(line);
  console.log('a file with mistakes (examples/customers/*-with-errors.csv):');
  const examples = join(projectRoot, 'examples', 'customers');
  const badImport = await importCsvFiles(join(examples, 'accounts-with-errors.csv'), join(examples, 'contacts-with-errors.csv'), engine.store.customers, clock);
  for (const line of describeImport(badImport)) console.log(line);

  section(`4. schedules on a virtual clock, ${DEMO_START.toISOString().slice(0, 10)} to ${DEMO_END.toISOString().slice(0, 10)}`);
  const scheduler = new VirtualScheduler(clock);
  engine.scheduleCampaigns(scheduler);
  const fired = await scheduler.advanceTo(DEMO_END);
  const firstNewsletter = (await engine.store.campaignRuns.listRuns('monthly-newsletter'))[0];
  let duplicateRefused = false;
  if (firstNewsletter) {
    const again = await startCampaignRun('monthly-newsletter', new Date(firstNewsletter.scheduledFor), { runs: engine.store.campaignRuns, clock });
    duplicateRefused = again.outcome === 'duplicate';
    console.log(`  re-invoking monthly-newsletter run ${firstNewsletter.runId}: ${again.outcome}`);
  }

  section('summary');
  const tiers = await Promise.all(TIERS.map(async (tier) => [tier, (await engine.store.customers.listAccountsByTier(tier)).length] as const));
  const contacts: Contact[] = [];
  for await (const page of engine.store.customers.listContacts()) contacts.push(...page);
  const countBy = (key: (contact: Contact) => string) => {
    const counts = new Map<string, number>();
    for (const contact of contacts) counts.set(key(contact), (counts.get(key(contact)) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ');
  };
  const rows: Array<[string, string]> = [
    ['config', 'valid'],
    ['accounts by tier', tiers.map(([tier, count]) => `${tier} ${count}`).join(', ')],
    ['contacts', String(contacts.length)],
    ['contacts by locale', countBy((contact) => contact.locale)],
    ['contacts by time zone', countBy((contact) => contact.timeZone)],
    ['contacts by consent', countBy((contact) => contact.consent)],
    ['bad rows rejected', `${badImport.accounts.rejected + badImport.contacts.rejected} (written: ${badImport.accounts.created + badImport.contacts.created})`],
    ['schedule firings', String(fired)],
    ['campaign runs created', [...runsStarted.entries()].map(([id, count]) => `${id} ${count}`).join(', ')],
    ['duplicate run refused', duplicateRefused ? 'yes' : 'NO'],
  ];
  for (const [name, value] of rows) console.log(`  ${name.padEnd(24)} ${value}`);
  if (!duplicateRefused || fired === 0 || contacts.length === 0) exitCode = 1;
} catch (error) {
  console.error(`demo failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await services.stop();
  await rm(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
