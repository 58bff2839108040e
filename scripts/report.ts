/**
 * `npm run report -- <what> [id] [--from --to] [--format table|csv|json]`: KPIs from the counters
 * the events move (core/reporting/kpi-counters.ts), never a scan of sends or events.
 *   campaign [id]          every campaign, sequence and webinar email (one row each), or one of them
 *                          by run (a sequence by step), with a total row
 *   tier [id]              by the recipients' tier, over every email or one campaign
 *   locale [id]            by the recipients' locale
 *   link <id> [runId]      each link of a run (the latest when none is named): clicks by people and by machines
 *   webinar [id]           each session of every webinar (or of one): registered, attended, no-shows, attendance
 *                          rate, average watch time, watched-share quartiles, and the drop-off every 10 minutes
 *   who-clicked <id> [--link N] [--run R]
 *                          the contacts who clicked (people only, scanners left out), with their clicks
 *   revenue                MRR at the start and end of the period, new, expansion, contraction, churn, NRR,
 *                          upsells and cross-sells by tier and currency (accounts' revenue histories), and the
 *                          CSQL funnel: promotions, accepted / rejected by sales, won, expansion MRR won
 *   csql                   the CSQL funnel, and which campaigns and webinars touched the promoted accounts
 *                          in the 30 days before (people's opens, clicks, registrations, attendance), with
 *                          what sales made of those CSQLs
 * Target: the local engine (as npm run import), or --aws-table <deployed table name> with AWS credentials.
 */
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { reputationGuardOf } from '../core/sending/reputation-guard.ts';
import type { Store } from '../core/ports.ts';
import { flatRows, kpiRows, runsOf, type KpiBreakdown, type KpiRow, type ReportPeriod } from '../core/reporting/kpi-report.ts';
import { whoClicked } from '../core/reporting/who-clicked.ts';
import { BY_TIER, csqlFunnel, revenueHistoriesFor, revenueRows, type RevenueSegmentOf } from '../core/reporting/revenue-report.ts';
import type { Account } from '../core/customers/account.ts';
import { csqlAttribution } from '../core/reporting/csql-attribution.ts';
import { sessionKpis, type SessionKpis } from '../core/reporting/webinar-kpis.ts';
import { TIERS } from '../core/config/schema/common.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';
import { withToolStore } from '../local/local-store-session.ts';
import { kpiTableLines } from '../local/kpi-table.ts';
import { formatTable } from '../local/text-table.ts';

const WHATS = ['campaign', 'webinar', 'tier', 'locale', 'link', 'who-clicked', 'revenue', 'csql'] as const;
const FORMATS = ['table', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = [
  'usage: npm run report -- campaign [id] [--from <date>] [--to <date>] [--format table|csv|json]',
  '       npm run report -- webinar [id]',
  '       npm run report -- tier [id] | locale [id]',
  '       npm run report -- link <id> [runId]',
  '       npm run report -- who-clicked <id> [--link N] [--run R]',
  '       npm run report -- revenue [--from <date>] [--to <date>] [--by tier|plan|<account attribute>]   (default: the last 90 days, by tier)',
  '       npm run report -- csql [--from <date>] [--to <date>]      (default: the last 90 days)',
].join('\n');

async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: 'npm run report -- campaign|webinar|tier|locale|link|who-clicked|revenue|csql [id] [options]',
      summary: `Campaign KPIs from the counters the events keep.\n${USAGE}`,
      options: { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, link: { type: 'string' }, run: { type: 'string' }, by: { type: 'string' }, 'aws-table': { type: 'string' } },
      optionHelp: {
        from: 'runs whose first event is on or after this date (ISO, e.g. 2026-11-01)',
        to: 'runs whose first event is before this date',
        format: 'table (default), csv or json',
        link: 'who-clicked: only this link position (as `link` lists them)',
        run: 'who-clicked: only this run',
        by: "revenue: tier (default), plan, or an account attribute declared in campaigns/attributes.yaml (e.g. region)",
        'aws-table': AWS_TABLE_HELP,
      },
    },
    projectRoot,
  );
  const [what, id, runArg] = positionals;
  if (!what || !(WHATS as readonly string[]).includes(what)) throw new UsageError(`${what ? `unknown report '${what}'` : 'which report?'}: one of ${WHATS.join(', ')}\n${USAGE}`);
  const format = (values.format ?? 'table') as Format;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: one of ${FORMATS.join(', ')}, got '${values.format}'`);
  const period: ReportPeriod = { ...dateOption('from', values.from), ...dateOption('to', values.to) };
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  const messageIds = knownMessageIds(config);
  if (what === 'webinar' && id !== undefined && !config.webinars.some((webinar) => webinar.id === id)) throw new UsageError(`no webinar '${id}'; known: ${config.webinars.map((webinar) => webinar.id).join(', ') || 'none'}`);
  if (id !== undefined && what !== 'revenue' && what !== 'csql' && !messageIds.includes(id)) throw new UsageError(`no campaign, sequence or webinar '${id}'; known: ${messageIds.join(', ')}`);
  const linkPosition = values.link === undefined ? undefined : Number(values.link);
  if (linkPosition !== undefined && !(Number.isInteger(linkPosition) && linkPosition >= 0)) throw new UsageError(`--link: a link position (0, 1, ...), got '${values.link}'`);

  await withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, async (store, session) => {
    // Counters move from the table's stream: with no engine running to read it, this command catches them up first (with the reputation auto-pause, as the engine would).
    await session.countKpis(reputationGuardOf(store, config, { now: () => new Date() }));
    switch (what) {
      case 'campaign': {
        const runs = await runsOf(id ? [id] : messageIds, period, store.kpis);
        // All emails: one row each (steps and runs summed); one email: its runs, or its steps for a sequence.
        const by: KpiBreakdown = id ? (config.sequences.some((sequence) => sequence.id === id) ? 'step' : 'run') : 'step';
        const rows = kpiRows(id ? runs : runs.map((run) => ({ ...run, run: { messageId: run.run.messageId, runId: run.run.runId } })), by);
        return print(rows, format, by === 'run' ? 'run' : id ? 'step' : 'email');
      }
      case 'webinar':
        return printWebinars(await sessionKpis(config, store.webinars, id ? [id] : undefined), format);
      case 'tier':
      case 'locale':
        return print(kpiRows(await runsOf(id ? [id] : messageIds, period, store.kpis), what), format, what);
      case 'link':
        return printLinks(store, required(id, 'link'), runArg, period, format);
      case 'csql':
        return printCsql(store, { from: period.from ?? new Date(Date.now() - 90 * 86_400_000), to: period.to ?? new Date() }, format);
      case 'revenue':
        return printRevenue(store, { from: period.from ?? new Date(Date.now() - 90 * 86_400_000), to: period.to ?? new Date() }, format, revenueSegment(values.by, config));
      case 'who-clicked': {
        const clickers = await whoClicked(required(id, 'who-clicked'), { ...(values.run ? { runId: values.run } : {}), ...(linkPosition === undefined ? {} : { link: linkPosition }), ...period }, store);
        const records = clickers.map((clicker) => ({ contactId: clicker.contactId, email: clicker.email ?? '', name: clicker.name ?? '', accountId: clicker.accountId, clicks: clicker.clicks, links: clicker.links.join(' '), firstClickAt: clicker.firstClickAt }));
        if (format === 'json') return void console.log(JSON.stringify(records, null, 2));
        if (format === 'csv') return void process.stdout.write(stringify(records, { header: true, columns: ['contactId', 'email', 'name', 'accountId', 'clicks', 'links', 'firstClickAt'] }));
        console.log(formatTable(['contact', 'email', 'name', 'account', 'clicks', 'links', 'first click'], records.map((record) => [record.contactId, record.email, record.name, record.accountId, String(record.clicks), record.links, record.firstClickAt])).join('\n'));
        return void console.log(`${records.length} contacts clicked (people only; scanner and reclassified clicks left out)`);
      }
    }
  });
}

function knownMessageIds(config: EngineConfig): string[] {
  return [...config.campaigns, ...config.sequences, ...config.webinars].map((message) => message.id);
}

function required(id: string | undefined, what: string): string {
  if (!id) throw new UsageError(`${what}: which campaign, sequence or webinar?\n${USAGE}`);
  return id;
}

function dateOption(name: 'from' | 'to', value: string | undefined): ReportPeriod {
  if (value === undefined) return {};
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${name}: expected a date like 2026-11-01, got '${value}'`);
  return { [name]: date };
}

function print(rows: readonly KpiRow[], format: Format, keyTitle: string): void {
  if (format === 'json') return void console.log(JSON.stringify(flatRows(rows), null, 2));
  if (format === 'csv') return void process.stdout.write(stringify(flatRows(rows), { header: true }));
  console.log(kpiTableLines(rows, keyTitle).join('\n'));
}

async function printLinks(store: Store, messageId: string, runArg: string | undefined, period: ReportPeriod, format: Format): Promise<void> {
  const runs = await runsOf([messageId], period, store.kpis);
  const runId = runArg ?? [...runs].sort((a, b) => b.firstAt.localeCompare(a.firstAt))[0]?.run.runId;
  if (!runId) return void console.log(`no runs of '${messageId}' with events yet`);
  const sets = await store.sends.listMessageLinksOfRun(messageId, runId);
  const records = sets.flatMap((set) =>
    set.links.map((link, position) => ({
      runId,
      locale: set.locale,
      linkSet: set.linkSet,
      position,
      url: position === set.honeypot ? '(honeypot: hidden trap link)' : link,
      peopleClicks: set.clicks.human[position] ?? 0,
      machineClicks: set.clicks.machine[position] ?? 0,
    })),
  );
  if (format === 'json') return void console.log(JSON.stringify(records, null, 2));
  if (format === 'csv') return void process.stdout.write(stringify(records, { header: true }));
  console.log(`links of ${messageId} run ${runId}`);
  console.log(formatTable(['locale', 'set', 'link', 'url', 'people clicks', 'machine clicks'], records.map((record) => [record.locale, record.linkSet, String(record.position), record.url, String(record.peopleClicks), String(record.machineClicks)])).join('\n'));
}

function printWebinars(sessions: readonly SessionKpis[], format: Format): void {
  const records = sessions.map((session) => ({
    webinarId: session.webinarId,
    sessionId: session.sessionId,
    status: session.status,
    startsAt: session.startsAt,
    registered: session.kpis.registered,
    attended: session.kpis.attended,
    noShows: session.kpis.noShows,
    attendanceRate: Math.round(session.kpis.attendanceRate * 10_000) / 10_000,
    averageWatchMinutes: session.kpis.averageWatchMinutes,
    watchedShare0to25: session.kpis.watchShareQuartiles[0],
    watchedShare25to50: session.kpis.watchShareQuartiles[1],
    watchedShare50to75: session.kpis.watchShareQuartiles[2],
    watchedShare75to100: session.kpis.watchShareQuartiles[3],
  }));
  if (format === 'json') return void console.log(JSON.stringify(sessions.map((session, index) => ({ ...records[index], dropOff: session.kpis.dropOff })), null, 2));
  if (format === 'csv') return void process.stdout.write(stringify(records, { header: true }));
  if (records.length === 0) return void console.log('no webinar sessions in the config');
  console.log(
    formatTable(
      ['webinar', 'session', 'status', 'starts (UTC)', 'registered', 'attended', 'no-shows', 'attendance', 'avg watch min', 'watched 0-25/25-50/50-75/75-100 %'],
      records.map((record) => [record.webinarId, record.sessionId, record.status, record.startsAt.slice(0, 16).replace('T', ' '), String(record.registered), String(record.attended), String(record.noShows), `${(record.attendanceRate * 100).toFixed(1)} %`, String(record.averageWatchMinutes), `${record.watchedShare0to25}/${record.watchedShare25to50}/${record.watchedShare50to75}/${record.watchedShare75to100}`]),
    ).join('\n'),
  );
  for (const session of sessions) if (session.kpis.dropOff.some((watching) => watching > 0)) console.log(`drop-off ${session.webinarId}/${session.sessionId} (watching at minute 0, 10, 20, ...): ${session.kpis.dropOff.filter((_, minute) => minute % 10 === 0).join(', ')}`);
}

async function printCsql(store: Store, period: Required<ReportPeriod>, format: Format): Promise<void> {
  const promotions = (await store.csql.listPromotionsSince(period.from)).filter((promotion) => Date.parse(promotion.promotedAt) < period.to.getTime());
  const accountIds = [...new Set(promotions.map((promotion) => promotion.accountId))];
  const outcomes = new Map(await mapBounded(accountIds, 8, async (accountId) => [accountId, await store.pipeline.listOutcomesOfAccount(accountId)] as const));
  const events = new Map(
    await mapBounded(accountIds, 4, async (accountId) => {
      const contacts = await store.customers.listContactsOfAccount(accountId);
      return [accountId, (await mapBounded(contacts, 4, (contact) => store.engagement.listEventsOfContact(contact.contactId))).flat()] as const;
    }),
  );
  const funnel = csqlFunnel(promotions, outcomes, period);
  const rows = csqlAttribution(promotions, events, outcomes, period);
  if (format === 'json') return void console.log(JSON.stringify({ from: period.from.toISOString(), to: period.to.toISOString(), funnel, touchedBy: rows }, null, 2));
  const flat = rows.map((row) => ({ messageId: row.messageId, csqls: row.csqls, accepted: row.accepted, won: row.won, wonMrr: Object.entries(row.wonMrr).map(([currency, value]) => `${value} ${currency}`).join(' ') }));
  if (format === 'csv') return void process.stdout.write(stringify(flat, { header: true, columns: ['messageId', 'csqls', 'accepted', 'won', 'wonMrr'] }));
  const rate = (value: number | undefined) => (value === undefined ? '-' : `${(value * 100).toFixed(1)} %`);
  console.log(`CSQLs ${period.from.toISOString().slice(0, 10)} to ${period.to.toISOString().slice(0, 10)}: ${funnel.promoted} promoted; ${funnel.accepted} accepted, ${funnel.rejected} rejected (acceptance ${rate(funnel.acceptanceRate)}); ${funnel.won} won (win rate ${rate(funnel.winRate)})`);
  console.log('touched in the 30 days before the promotion (a CSQL counts for every email or webinar that touched it):');
  console.log(formatTable(['email or webinar', 'CSQLs', 'accepted', 'won', 'expansion MRR won'], flat.map((row) => [row.messageId, String(row.csqls), String(row.accepted), String(row.won), row.wonMrr || '-'])).join('\n'));
}

/** --by: how the revenue rows are split (the accounts' tier, plan, or a declared account attribute). */
function revenueSegment(by: string | undefined, config: EngineConfig): { title: string; of: (accounts: ReadonlyMap<string, Account>) => RevenueSegmentOf } {
  if (by === undefined || by === 'tier') return { title: 'tier', of: () => BY_TIER };
  if (by === 'plan') return { title: 'plan', of: () => (_accountId, latest) => latest.plan };
  const declared = config.attributes.account.find((attribute) => attribute.id === by);
  if (!declared) throw new UsageError(`--by: tier, plan or an account attribute declared in campaigns/attributes.yaml (${config.attributes.account.map((attribute) => attribute.id).join(', ') || 'none declared'}), got '${by}'`);
  // Attributes have no history: an account is filed under its value now.
  return { title: by, of: (accounts) => (accountId) => String(accounts.get(accountId)?.attributes?.[by] ?? '') };
}

async function printRevenue(store: Store, period: Required<ReportPeriod>, format: Format, segment: ReturnType<typeof revenueSegment>): Promise<void> {
  const accounts = (await Promise.all(TIERS.map((tier) => store.customers.listAccountsByTier(tier)))).flat();
  const rows = revenueRows(await revenueHistoriesFor(accounts, period, new Date(), store.customers), period, segment.of(new Map(accounts.map((account) => [account.accountId, account]))));
  const promotions = await store.csql.listPromotionsSince(period.from);
  const outcomes = new Map(await mapBounded([...new Set(promotions.map((promotion) => promotion.accountId))], 8, async (accountId) => [accountId, await store.pipeline.listOutcomesOfAccount(accountId)] as const));
  const funnel = csqlFunnel(promotions, outcomes, period);
  if (format === 'json') return void console.log(JSON.stringify({ from: period.from.toISOString(), to: period.to.toISOString(), revenue: rows, csql: funnel }, null, 2));
  if (format === 'csv') return void process.stdout.write(stringify(rows.map((row) => ({ ...row, nrr: row.nrr === undefined ? '' : Math.round(row.nrr * 10_000) / 10_000 })), { header: true }));
  const money = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const rate = (value: number | undefined) => (value === undefined ? '-' : `${(value * 100).toFixed(1)} %`);
  console.log(`revenue ${period.from.toISOString().slice(0, 10)} to ${period.to.toISOString().slice(0, 10)} by ${segment.title} (MRR from the accounts' revenue histories)`);
  console.log(
    formatTable(
      [`${segment.title} currency`, 'accounts', 'start MRR', 'new', 'expansion', 'contraction', 'churned', 'end MRR', 'NRR', 'upsells', 'cross-sells', 'churned accounts'],
      rows.map((row) => [row.key, String(row.accounts), money(row.startMrr), money(row.newMrr), money(row.expansionMrr), money(row.contractionMrr), money(row.churnedMrr), money(row.endMrr), rate(row.nrr), String(row.upsells), String(row.crossSells), String(row.churnedAccounts)]),
    ).join('\n'),
  );
  const won = Object.entries(funnel.wonMrr).map(([currency, value]) => `${money(value)} ${currency}`).join(', ') || 'none';
  console.log(`CSQL: ${funnel.promoted} promoted; ${funnel.accepted} accepted, ${funnel.rejected} rejected (acceptance ${rate(funnel.acceptanceRate)}); ${funnel.won} won, ${funnel.lost} lost (win rate ${rate(funnel.winRate)}); expansion MRR won ${won}`);
}

runCommand(main);
