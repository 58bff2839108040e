/**
 * `npm run demo`: a scripted end-to-end scenario on a virtual clock. Validates the config and
 * renders every template, starts DynamoDB Local and the SES emulator (in memory, free ports),
 * imports the demo customers through the CSV path (twice: the second import changes nothing)
 * and a file with bad rows, suppresses a few addresses, then replays the schedule: the monthly
 * newsletter fires, is dispatched through the guardrails, sent by sender workers to the SES
 * emulator, and the contacts deferred by quiet hours or the send window are released as the
 * virtual clock moves on. Re-invoking the run sends nothing new. Then people read the mail:
 * SES delivery events are replayed through the event handler, some emails are opened and
 * clicked through the engine's real HTTP endpoints (and some opened by a privacy proxy or clicked
 * by a link scanner), one address bounces, one complains, one reader unsubscribes with the
 * one-click POST. Prints per-campaign KPIs, a summary, the report and the dashboard's login link,
 * and exits 0; with `--serve` it keeps serving the engine (and its dashboard) until Ctrl-C.
 */
import { AUTO_PAUSED_BY } from '../core/sending/reputation-guard.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import { VirtualClock } from '../adapters/local/virtual-clock.ts';
import { fireTimesBetween } from '../core/campaigns/campaign-schedule.ts';
import { formatProblem } from '../core/config/problems.ts';
import { TIERS } from '../core/config/schema/common.ts';
import type { Contact } from '../core/customers/contact.ts';
import { validateTemplatesRender } from '../core/rendering/validate-templates.ts';
import { sequenceRunId } from '../core/sequences/enroll-contacts.ts';
import { importCsvFiles, writeDemoCsv } from './demo-customer-load.ts';
import { importCatalogueOf } from '../core/customers/import-customers.ts';
import { wireLocalEngine } from './engine-wiring.ts';
import { describeImport } from './import-report.ts';
import { startLocalServices } from './local-services.ts';
import { freePort } from './ports.ts';
import { serve } from '@hono/node-server';
import { localHttpApp } from './local-http-app.ts';
import { runWebinarDemo } from './demo-webinar.ts';
import { webinarSummaryRows } from './demo-webinar-summary.ts';
import { runCsqlDemo } from './demo-csql.ts';
import { campaignEventsOf, campaignKpis } from '../core/reporting/campaign-kpis.ts';
import { emptyCounts } from '../core/reporting/kpi-counters.ts';
import { kpiRows, runsOf } from '../core/reporting/kpi-report.ts';
import { csqlAttribution } from '../core/reporting/csql-attribution.ts';
import { csqlFunnel } from '../core/reporting/revenue-report.ts';
import { kpiTableLines } from './kpi-table.ts';
import { buildSesEventBridgeEvent, senderTagsOf } from '../core/tracking/ses-events/ses-event-builder.ts';
import { ingestSesEvents } from '../core/tracking/ses-events/record-ses-event.ts';
import { parseArgs } from 'node:util';
import { mintDashboardLink } from '../http/dashboard-auth.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const DEMO_START = new Date('2026-11-23T00:00:00Z');
const DEMO_END = new Date('2026-12-31T23:59:59Z');
const TABLE = 'nurture-engine-demo';
const SEND_RATE = 100;
const RELEASE_STEP_MS = 15 * 60_000;

const section = (title: string) => console.log(`\n== ${title}`);

let serveAfter = false;
try {
  serveAfter = parseArgs({ options: { serve: { type: 'boolean', default: false } }, strict: true, allowPositionals: false }).values.serve === true;
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run demo [-- --serve]   (--serve: keep the engine and its dashboard up after the demo, until Ctrl-C)`);
  process.exit(2);
}

section('1. config');
const configResult = await loadConfigDirectory(defaultConfigLocation(projectRoot));
if (!configResult.ok) {
  for (const problem of configResult.problems) console.error(formatProblem(problem));
  console.error('demo stopped: fix the config first (npm run validate)');
  process.exit(1);
}
const config = configResult.config;
const renderProblems = await validateTemplatesRender(config);
if (renderProblems.length > 0) {
  for (const problem of renderProblems) console.error(formatProblem(problem));
  process.exit(1);
}
console.log(
  `validated: ${config.campaigns.length} campaigns, ${config.sequences.length} sequence, ${config.webinarPolicies.length} webinar policy, ` +
    `${config.templates.size} templates x ja/en (all render), ${config.senders.identities.length} senders, ${config.topics.topics.length} topics`,
);

section('2. local services');
const services = await startLocalServices({ dynamodbPort: await freePort(), sesPort: await freePort(), tableName: TABLE, sesMaxSendRate: SEND_RATE });
console.log(`DynamoDB Local ${services.dynamo.endpoint} (in memory), SES emulator ${services.ses.mailListUrl} (MaxSendRate ${SEND_RATE}/s), table ${TABLE}`);
const workDir = await mkdtemp(join(tmpdir(), 'nurture-demo-'));
let exitCode = 0;
let stopHttp: () => Promise<void> = async () => {};
let stopKpiStream: () => Promise<void> = async () => {};
try {
  const clock = new VirtualClock(DEMO_START);
  const tokenSecret = randomBytes(32).toString('base64url');
  const enginePort = await freePort();
  const engineUrl = `http://127.0.0.1:${enginePort}`;
  const engine = await wireLocalEngine({
    client: services.client,
    tableName: TABLE,
    dynamoEndpoint: services.dynamo.endpoint,
    sesEndpoint: services.ses.endpoint,
    config,
    clock,
    linkBaseUrl: engineUrl,
    tokenSecret,
    senderWorkers: 4,
  });
  engine.workers.start();
  engine.kpiStream.start();
  stopKpiStream = () => engine.kpiStream.stop();
  const zoomSecret = randomBytes(24).toString('base64url');
  const ingestToken = randomBytes(24).toString('base64url');
  const dashboardSecret = randomBytes(32).toString('base64url');
  const app = localHttpApp(engine, { config, clock, baseUrl: engineUrl, tokenSecret, ingestToken, zoomSecret, dashboardSecret });
  const http = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const server = serve({ fetch: app.fetch, port: enginePort, hostname: '127.0.0.1' }, () => resolve(server));
  });
  stopHttp = () => new Promise<void>((resolve) => http.close(() => resolve()));
  console.log(`engine HTTP app ${engineUrl} (open pixel, click redirect, unsubscribe, webinar links, Zoom webhook)`);

  section('3. customers: demo data through the CSV import');
  const { accountsCsv, contactsCsv } = await writeDemoCsv(workDir);
  const firstImport = await importCsvFiles(accountsCsv, contactsCsv, engine.store.customers, clock, importCatalogueOf(config));
  for (const line of describeImport(firstImport)) console.log(line);
  const enrolled = await engine.enroll(firstImport.accountIds);
  console.log(`enrolled ${enrolled} contact(s) of accounts entering adoption in the adoption-nurture sequence`);
  console.log('same files again:');
  for (const line of describeImport(await importCsvFiles(accountsCsv, contactsCsv, engine.store.customers, clock, importCatalogueOf(config)))) console.log(line);
  console.log('a file with mistakes (examples/customers/*-with-errors.csv):');
  const examples = join(projectRoot, 'examples', 'customers');
  const badImport = await importCsvFiles(join(examples, 'accounts-with-errors.csv'), join(examples, 'contacts-with-errors.csv'), engine.store.customers, clock, importCatalogueOf(config));
  for (const line of describeImport(badImport)) console.log(line);

  const contacts: Contact[] = [];
  for await (const page of engine.store.customers.listContacts()) contacts.push(...page);
  // Three newsletter recipients who would otherwise get it: their addresses bounced, complained, unsubscribed.
  const tier3 = new Set((await engine.store.customers.listAccountsByTier('tier3')).filter((account) => account.phase !== 'onboarding').map((account) => account.accountId));
  const suppressedEmails = contacts.filter((contact) => contact.consent === 'granted' && contact.topicsOptedOut.length === 0 && tier3.has(contact.accountId)).slice(0, 3);
  const reasons = ['hard-bounce', 'complaint', 'unsubscribe'] as const;
  for (const [index, contact] of suppressedEmails.entries()) {
    await engine.store.suppressions.suppress({ email: contact.email, reason: reasons[index]!, suppressedAt: clock.now().toISOString(), source: 'demo' });
  }
  console.log(`suppressed ${suppressedEmails.length} addresses (hard bounce, complaint, unsubscribe)`);

  section(`4. the schedule on a virtual clock, ${DEMO_START.toISOString().slice(0, 10)} to ${DEMO_END.toISOString().slice(0, 10)}`);
  const newsletter = config.campaigns.find((campaign) => campaign.id === 'monthly-newsletter');
  if (!newsletter) throw new Error('the demo needs campaigns/monthly-newsletter.yaml');
  const [fireAt] = fireTimesBetween(newsletter.schedule, DEMO_START, DEMO_END);
  if (!fireAt) throw new Error('monthly-newsletter does not fire in the demo period');
  clock.set(fireAt);
  const sequenceSteps = await engine.advanceSequences();
  console.log(`  ${clock.now().toISOString()}  adoption-nurture due steps: ${JSON.stringify(Object.fromEntries(sequenceSteps))}`);
  await engine.workers.drain();
  const dispatched = await engine.dispatch(newsletter.id, fireAt);
  if (dispatched.outcome !== 'dispatched') throw new Error(`dispatch: ${dispatched.outcome}`);
  console.log(`  ${fireAt.toISOString()}  monthly-newsletter run ${dispatched.runId}: ${JSON.stringify(dispatched.counts)}`);
  await engine.workers.drain();
  let released = 0;
  const releaseUntil = new Date(fireAt.getTime() + 3 * 86_400_000);
  for (let at = fireAt.getTime() + RELEASE_STEP_MS; at <= releaseUntil.getTime(); at += RELEASE_STEP_MS) {
    clock.set(new Date(at));
    const now = await engine.releaseDeferred();
    if (now > 0) {
      console.log(`  ${clock.now().toISOString()}  released ${now} deferred send(s)`);
      released += now;
      await engine.workers.drain();
    }
  }
  const again = await engine.dispatch(newsletter.id, fireAt);
  console.log(`  re-invoking run ${dispatched.runId}: ${again.outcome}`);
  await engine.workers.drain();

  section('5. people read the newsletter (through the real HTTP endpoints)');
  const newsletterSends = (await engine.store.sends.listSendsOfRun(newsletter.id, dispatched.runId)).filter((send) => send.state === 'sent');
  const emailOf = new Map(contacts.map((contact) => [contact.contactId, contact.email]));
  const inbox = ((await (await fetch(`${services.ses.endpoint}/store`)).json()) as { emails: Array<{ messageId: string; destination: { to: string[] }; body: { html?: string } }> }).emails;
  const htmlOf = new Map(inbox.map((email) => [email.messageId, email.body.html ?? '']));
  const sesTarget = (send: (typeof newsletterSends)[number]) => ({
    messageId: send.messageId ?? '',
    email: emailOf.get(send.contactId) ?? '',
    tags: senderTagsOf(send, { kind: 'campaign', withAccount: true, signWith: tokenSecret }),
    sentAt: new Date(send.sentAt ?? clock.now().toISOString()),
  });
  clock.set(new Date(clock.now().getTime() + 60 * 60_000));
  const [bouncer, complainer, ...delivered] = newsletterSends;
  const sesOutcomes = await ingestSesEvents(
    [
      ...delivered.map((send) => buildSesEventBridgeEvent('delivery', sesTarget(send), new Date(send.sentAt ?? ''))),
      ...(bouncer ? [buildSesEventBridgeEvent('bounce', sesTarget(bouncer), clock.now())] : []),
      ...(complainer ? [buildSesEventBridgeEvent('delivery', sesTarget(complainer), clock.now()), buildSesEventBridgeEvent('complaint', sesTarget(complainer), clock.now())] : []),
    ],
    { ...engine.store, engagement: engine.engagement, topics: config.topics, tagSecret: tokenSecret },
  );
  console.log(`  SES events replayed through the event handler: ${sesOutcomes.filter((outcome) => outcome.outcome === 'recorded').length} recorded (${delivered.length + 1} deliveries, 1 hard bounce, 1 complaint)`);
  const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
  const APPLE_PROXY = 'Mozilla/5.0';
  const SCANNER = 'Mozilla/5.0 (compatible; Proofpoint URL Defense)';
  let opens = 0;
  let clicks = 0;
  let unsubscribedTo = '';
  for (const [index, send] of delivered.entries()) {
    const html = htmlOf.get(send.messageId ?? '') ?? '';
    const pixel = /<img[^>]+src="([^"]+\/o\/[^"]+)"/.exec(html)?.[1];
    const link = /href="([^"]+\/c\/[^"]+)"/.exec(html)?.[1];
    const get = (url: string, agent: string) => fetch(url, { headers: { 'user-agent': agent }, redirect: 'manual' });
    if (pixel && index % 10 < 4) opens += (await get(pixel, BROWSER)).status === 200 ? 1 : 0;
    if (pixel && index % 10 === 4) opens += (await get(pixel, APPLE_PROXY)).status === 200 ? 1 : 0;
    if (link && index % 10 < 2) clicks += (await get(link, BROWSER)).status === 302 ? 1 : 0;
    if (link && index % 25 === 3) clicks += (await get(link, SCANNER)).status === 302 ? 1 : 0;
    if (index === 7) {
      const unsubscribe = /href="([^"]+\/u\/[^"]+)"/.exec(html)?.[1];
      if (unsubscribe) {
        const response = await fetch(unsubscribe, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
        if (response.status < 300) unsubscribedTo = send.contactId;
      }
    }
  }
  console.log(`  ${opens} opens and ${clicks} clicks through ${engineUrl}; one-click unsubscribe by ${unsubscribedTo || 'nobody'}`);
  const kpis = campaignKpis(newsletterSends.length, await campaignEventsOf(newsletter.id, newsletterSends.map((send) => send.contactId), engine.store.engagement));
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  console.log(`  ${newsletter.id}: sent ${kpis.sent}, delivered ${kpis.delivered}, opened ${kpis.opened.human} people + ${kpis.opened.machineOnly} machine, clicked ${kpis.clicked.human} people + ${kpis.clicked.machineOnly} machine, bounced ${kpis.bounced}, complained ${kpis.complained}, unsubscribed ${kpis.unsubscribed}`);
  console.log(`  open rate ${percent(kpis.openRate)}, click rate ${percent(kpis.clickRate)}, click-to-open ${percent(kpis.clickToOpenRate)}, unsubscribe ${percent(kpis.unsubscribeRate)}, bounce ${percent(kpis.bounceRate)}, complaint ${percent(kpis.complaintRate)}`);
  // The counters the events moved (what reports and the dashboard read) against a scan of the run's events:
  // counted from the table's stream as the KpiCounters function counts in AWS, caught up first.
  await engine.kpiStream.drain();
  const counted = (await engine.store.kpis.runCounters(newsletter.id, dispatched.runId))?.totals ?? emptyCounts();
  const scanned = { sent: kpis.sent, delivered: kpis.delivered, bounced: kpis.bounced, complained: kpis.complained, unsubscribed: kpis.unsubscribed, openers: kpis.opened.human, clickers: kpis.clicked.human };
  const counterDifferences = Object.entries(scanned).filter(([name, value]) => counted[name as keyof typeof counted] !== value).map(([name, value]) => `${name} counted ${counted[name as keyof typeof counted]}, scanned ${value}`);
  console.log(`  KPI counters counted from the stream ${counterDifferences.length === 0 ? 'agree with a scan of the events' : `DIFFER from a scan of the events: ${counterDifferences.join('; ')}`}`);
  // The reputation guard ran where those counts moved: a rate over guardrails.reputation pauses the campaign, as in AWS.
  const autoPaused = (await engine.store.pauses.listPauses()).filter((pause) => pause.pausedBy === AUTO_PAUSED_BY);
  for (const pause of autoPaused) console.log(`  ${pause.reason} (npm run resume -- --campaign ${pause.scope})`);
  const suppressedNow = await engine.store.suppressions.suppressedAmong([bouncer, complainer].flatMap((send) => (send ? [emailOf.get(send.contactId) ?? ''] : [])).concat(unsubscribedTo ? [emailOf.get(unsubscribedTo) ?? ''] : []));

  section('6. webinar: Dashboards 101 (invitation, one-click and Zoom registrations, a reschedule, attendance, follow-ups)');
  const webinar = await runWebinarDemo({ engine, config, clock, engineUrl, sesEndpoint: services.ses.endpoint, zoomSecret, contacts });
  await engine.workers.stop();

  section('7. CSQL: usage figures in, accounts evaluated, promotions published');
  const csql = await runCsqlDemo({ engine, config, clock, engineUrl, ingestToken });

  section('summary');
  const sends = await engine.store.sends.listSendsOfRun(newsletter.id, dispatched.runId);
  const skips = await engine.store.sends.listSkipsOfRun(newsletter.id, dispatched.runId);
  const mail = (await (await fetch(`${services.ses.endpoint}/store`)).json()) as { emails: Array<{ subject: string; destination: { to: string[] } }> };
  const perRecipient = new Map<string, number>();
  const perRecipientAndSubject = new Map<string, number>();
  for (const email of mail.emails) {
    for (const to of email.destination.to) {
      perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
      perRecipientAndSubject.set(`${to}\n${email.subject}`, (perRecipientAndSubject.get(`${to}\n${email.subject}`) ?? 0) + 1);
    }
  }
  // The same email twice: same recipient, same subject (a newsletter and a welcome email are two emails).
  const duplicates = [...perRecipientAndSubject.values()].filter((count) => count > 1).length;
  const suppressedReached = suppressedEmails.filter((contact) => perRecipient.has(contact.email)).length;
  const skippedByReason = new Map<string, number>();
  for (const skip of skips) skippedByReason.set(skip.reason, (skippedByReason.get(skip.reason) ?? 0) + 1);
  const tiers = await Promise.all(TIERS.map(async (tier) => [tier, (await engine.store.customers.listAccountsByTier(tier)).length] as const));
  const countBy = (key: (contact: Contact) => string) => {
    const counts = new Map<string, number>();
    for (const contact of contacts) counts.set(key(contact), (counts.get(key(contact)) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ');
  };
  const sent = sends.filter((send) => send.state === 'sent').length;
  const welcomeSent = (await engine.store.sends.listSendsOfRun('adoption-nurture', sequenceRunId('welcome', DEMO_START.toISOString()))).length;
  const rows: Array<[string, string]> = [
    ['config', 'valid'],
    ['accounts by tier', tiers.map(([tier, count]) => `${tier} ${count}`).join(', ')],
    ['contacts', String(contacts.length)],
    ['contacts by locale', countBy((contact) => contact.locale)],
    ['contacts by consent', countBy((contact) => contact.consent)],
    ['bad rows rejected', `${badImport.accounts.rejected + badImport.contacts.rejected} (written: ${badImport.accounts.created + badImport.contacts.created})`],
    ['newsletter audience', String(dispatched.counts.audience ?? 0)],
    ['sent', `${sent} (queued at once ${dispatched.counts.queued ?? 0}, deferred to the send window ${dispatched.counts.deferred ?? 0})`],
    ['deferred sends released', String(released)],
    ['failed', String(sends.filter((send) => send.state === 'failed').length)],
    ['skipped by reason', [...skippedByReason.entries()].map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none'],
    ['emails in SES emulator', `${mail.emails.length} (${services.ses.mailListUrl})`],
    ['duplicate emails', String(duplicates)],
    ['suppressed reached', String(suppressedReached)],
    ['re-invoked run', again.outcome],
    ['sequence enrollments', String(enrolled)],
    ['newsletter KPIs', `delivered ${kpis.delivered}, opened ${kpis.opened.human} (+${kpis.opened.machineOnly} machine), clicked ${kpis.clicked.human} (+${kpis.clicked.machineOnly} machine), bounced ${kpis.bounced}, complained ${kpis.complained}, unsubscribed ${kpis.unsubscribed}`],
    ['suppressed by tracking', `${suppressedNow.size} (hard bounce, complaint, one-click unsubscribe)`],
    ['sequence welcome sent', String(welcomeSent)],
    ...webinarSummaryRows(webinar),
    ['CSQL promotions', `${csql.promotions.length} of ${csql.evaluated} accounts (${csql.published} event(s) on the local bus)`],
    ...csql.promotions.map((promotion): [string, string] => [`  ${promotion.accountId}`, `${promotion.ruleId}: score ${promotion.accountScore}, health ${promotion.health}; ${promotion.topSignals.map((signal) => `${signal.signal} ${signal.contribution}`).join(', ')}`]),
    ['CRM answers', `${csql.crm.accepted ?? '-'} accepted (opportunity open); ${csql.crm.rejected ?? '-'} rejected -> ${csql.crm.demoted.map((demotion) => `${demotion.accountId} demoted (${demotion.reason})`).join(', ') || 'nothing demoted'}`],
  ];
  for (const [name, value] of rows) console.log(`  ${name.padEnd(24)} ${value}`);

  section('report (npm run report -- campaign)');
  const messageIds = [...config.campaigns, ...config.sequences, ...config.webinars].map((message) => message.id);
  const allRuns = await runsOf(messageIds, {}, engine.store.kpis);
  for (const line of kpiTableLines(kpiRows(allRuns.map((run) => ({ ...run, run: { messageId: run.run.messageId, runId: run.run.runId } })), 'step'), 'email')) console.log(`  ${line}`);
  console.log(`  by tier: npm run report -- tier; one campaign by run: npm run report -- campaign ${newsletter.id}; who clicked: npm run report -- who-clicked ${newsletter.id}`);
  // What touched the promoted accounts in the 30 days before (npm run report -- csql), and what sales said.
  const everything = { from: new Date(0), to: new Date('2100-01-01T00:00:00Z') };
  const promotedIds = csql.promotions.map((promotion) => promotion.accountId);
  const outcomesOf = new Map(await Promise.all(promotedIds.map(async (accountId) => [accountId, await engine.store.pipeline.listOutcomesOfAccount(accountId)] as const)));
  const eventsOf = new Map(
    await Promise.all(
      promotedIds.map(async (accountId) => [accountId, (await Promise.all((await engine.store.customers.listContactsOfAccount(accountId)).map((contact) => engine.store.engagement.listEventsOfContact(contact.contactId)))).flat()] as const),
    ),
  );
  const funnel = csqlFunnel(csql.promotions, outcomesOf, everything);
  const touchedBy = csqlAttribution(csql.promotions, eventsOf, outcomesOf, everything);
  console.log(`  CSQLs (npm run report -- csql): ${funnel.promoted} promoted, ${funnel.accepted} accepted, ${funnel.rejected} rejected; touched before promotion by ${touchedBy.map((row) => `${row.messageId} (${row.csqls})`).join(', ') || 'nothing'}`);
  section('dashboard');
  // The dashboard reads the counters: everything recorded so far is counted first.
  await engine.kpiStream.drain();
  console.log(`  dashboard ${await mintDashboardLink(dashboardSecret, engineUrl, clock.now())}`);
  console.log(serveAfter ? '  (the link logs you in; the engine stays up until Ctrl-C)' : '  (the demo stops now; npm run demo -- --serve keeps the engine and this dashboard up until Ctrl-C)');
  if (counterDifferences.length > 0) exitCode = 1;
  if (again.outcome !== 'already-dispatched' || sent === 0 || duplicates > 0 || suppressedReached > 0 || mail.emails.length !== sent + welcomeSent + webinar.emailsSent || webinar.scannerRegistrations > 0 || webinar.webhooksRefused > 0 || webinar.tokyoFollowUps !== webinar.tokyoRegistrants || webinar.kpis.attended === 0 || csql.promotions.length === 0 || csql.published !== csql.promotions.length || (csql.crm.rejected !== undefined && !csql.crm.demoted.some((demotion) => demotion.accountId === csql.crm.rejected)) || !csql.usageRefusal.startsWith('400') || suppressedNow.size !== 3 || kpis.clicked.human === 0) exitCode = 1;
  if (serveAfter) {
    console.log(`\ndemo ${exitCode === 0 ? 'passed' : 'FAILED'}; serving ${engineUrl}/dashboard until Ctrl-C`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
} catch (error) {
  console.error(`demo failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await stopHttp();
  await stopKpiStream();
  await services.stop();
  await rm(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
