/**
 * What the dashboard shows, read in one place: the use case behind GET /dashboard and its JSON
 * (http/dashboard-routes.ts). Campaign and sequence numbers come from the KPI counters (the same
 * rows as `npm run report -- campaign`), webinars from each configured session's registrants and
 * attendance (the same numbers as `npm run webinar -- report`), CSQLs from the promotions with
 * their reasons, score and health trends replayed from the promoted accounts' events, revenue
 * from the accounts' revenue histories, and deliverability from the last week's counters against
 * the pause limits and SES's review levels. Reads only; never a scan of sends or events.
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { CsqlStore, ScoreStore, CustomerStore, EngagementStore, KpiStore, PipelineStore, SendingPauseStore, SurveyStore, UsageStore, WebinarStore } from '../ports.ts';
import { mapBounded } from '../bounded-parallel.ts';
import { TIERS } from '../config/schema/common.ts';
import type { CsqlPromotion } from '../qualification/csql-promotion.ts';
import type { Account } from '../customers/account.ts';
import { decayedScore } from '../scoring/account-score.ts';
import { readAccountHistory, replayedFacts, type AccountHistory } from '../qualification/what-if.ts';
import type { SendingPause } from '../sending/sending-pause.ts';
import { npsBy, npsOf } from '../surveys/nps.ts';
import { csqlAttribution, type AttributionRow } from './csql-attribution.ts';
import { ratesOf, sumCounts, type KpiCounts, type KpiRates, type RunCounters } from './kpi-counters.ts';
import { kpiRows, type KpiRow } from './kpi-report.ts';
import { csqlFunnel, revenueHistoriesFor, revenueRows, type CsqlFunnel, type RevenueRow } from './revenue-report.ts';
import { sessionKpis, type SessionKpis } from './webinar-kpis.ts';

/** SES reviews an account above these (and Gmail/Yahoo reject bulk mail above 0.3 % spam). */
export const SES_REVIEW_LEVELS = { bounceRate: 0.05, complaintRate: 0.001 } as const;

/** How far back the dashboard looks for revenue, CSQLs and deliverability. */
export const DASHBOARD_PERIOD_DAYS = 90;
const DELIVERABILITY_WINDOW_DAYS = 7;
/** Weekly points of the score and health trends. */
const TREND_WEEKS = 8;
const WEEK_MS = 7 * 86_400_000;

export type MessageKind = 'campaign' | 'sequence' | 'webinar';

export interface RunPoint {
  runId: string;
  firstAt: string;
  stepId?: string;
  counts: KpiCounts;
  rates: KpiRates;
}

export interface EmailPanel {
  messageId: string;
  kind: MessageKind;
  /** The funnel over every run: sent, delivered, opened (people), clicked (people). */
  total: { counts: KpiCounts; rates: KpiRates };
  /** Each run, oldest first: rates over time. */
  runs: RunPoint[];
  /** A sequence's steps (its runs summed per step), in the order they were first sent. */
  steps: KpiRow[];
}

export interface CsqlListEntry {
  accountId: string;
  accountName?: string;
  tier?: string;
  promotedAt: string;
  ruleId: string;
  ruleDescription: string;
  accountScore: number;
  health: number;
  /** The top contributing signals (the promotion's explanation). */
  topSignals: CsqlPromotion['topSignals'];
  /** Still a CSQL, demoted (with the reason), or accepted / rejected by sales. */
  status: string;
  /** Weekly engagement score and health, oldest first, replayed from the account's events. */
  trend: Array<{ at: string; score: number; health: number }>;
}

/** A highly engaged account that is not a CSQL (yet): who customer marketing may want to nudge. */
export interface RisingAccount {
  accountId: string;
  accountName: string;
  tier: string;
  /** Engagement score (roll-up plus breadth) and health now, replayed like the trend. */
  score: number;
  health: number;
  trend: Array<{ at: string; score: number; health: number }>;
}

export interface Deliverability {
  windowDays: number;
  sent: number;
  bounced: number;
  complained: number;
  bounceRate: number;
  complaintRate: number;
  /** Where this engine pauses itself (config guardrails.reputation). */
  pauseLimits: { bounceRate: number; complaintRate: number; minimumSample: number };
  sesReviewLevels: typeof SES_REVIEW_LEVELS;
  /** The account's send-rate quota (emails per second), when known. */
  maxSendRate?: number;
}

export interface DashboardView {
  generatedAt: string;
  period: { from: string; to: string };
  pauses: SendingPause[];
  deliverability: Deliverability;
  /** One row per email, plus the total row: exactly `npm run report -- campaign`. */
  emailRows: KpiRow[];
  emails: EmailPanel[];
  webinars: SessionKpis[];
  csql: { funnel: CsqlFunnel; list: CsqlListEntry[]; touchedBy: AttributionRow[] };
  /** The most engaged accounts that are not CSQLs, with their weekly trends. */
  risingAccounts: RisingAccount[];
  revenue: RevenueRow[];
  nps: Array<{ surveyId: string; answers: number; nps: number | undefined; byMonth: Array<{ month: string; answers: number; nps: number | undefined }> }>;
}

export interface DashboardDeps {
  config: Pick<EngineConfig, 'campaigns' | 'sequences' | 'webinars' | 'webinarPolicies' | 'guardrails' | 'csqlRules' | 'scoring' | 'surveys'>;
  kpis: Pick<KpiStore, 'runCountersOf'>;
  pauses: Pick<SendingPauseStore, 'listPauses'>;
  webinars: Pick<WebinarStore, 'getSession' | 'listRegistrants' | 'listAttendance' | 'listRegistrationsOfContact'>;
  csql: Pick<CsqlStore, 'listPromotionsSince' | 'getStates'>;
  pipeline: Pick<PipelineStore, 'listOutcomesOfAccount'>;
  customers: Pick<CustomerStore, 'listAccountsByTier' | 'getAccounts' | 'revenueHistoryOf' | 'revenueChangesBetween' | 'listContactsOfAccount'>;
  engagement: Pick<EngagementStore, 'listEventsOfContact'>;
  scores: Pick<ScoreStore, 'getScores'>;
  usage: Pick<UsageStore, 'listUsageRecords'>;
  surveys: Pick<SurveyStore, 'listAnswers' | 'answersOfAccount'>;
  /** The SES account's send-rate quota; absent when the runtime cannot ask. */
  maxSendRate?: () => Promise<number>;
}

export async function readDashboard(deps: DashboardDeps, now: Date): Promise<DashboardView> {
  // Periods end before `to`: one millisecond past now keeps what happened at this very instant.
  const to = new Date(now.getTime() + 1);
  const from = new Date(now.getTime() - DASHBOARD_PERIOD_DAYS * 86_400_000);
  const kinds = new Map<string, MessageKind>([
    ...deps.config.campaigns.map((message) => [message.id, 'campaign'] as const),
    ...deps.config.sequences.map((message) => [message.id, 'sequence'] as const),
    ...deps.config.webinars.map((message) => [message.id, 'webinar'] as const),
  ]);
  const accounts = (await Promise.all(TIERS.map((tier) => deps.customers.listAccountsByTier(tier)))).flat();
  const [runs, pauses, webinars, csql, revenue, nps, maxSendRate, risingAccounts] = await Promise.all([
    Promise.all([...kinds.keys()].map((id) => deps.kpis.runCountersOf(id))).then((all) => all.flat()),
    deps.pauses.listPauses(),
    sessionKpis(deps.config as EngineConfig, deps.webinars),
    csqlPanel(deps, { from, to }, now),
    revenueHistoriesFor(accounts, { from, to }, now, deps.customers).then((histories) => revenueRows(histories, { from, to })),
    npsPanels(deps),
    deps.maxSendRate ? deps.maxSendRate().catch(() => undefined) : Promise.resolve(undefined),
    risingAccountsOf(accounts, deps, now),
  ]);
  const emails = [...kinds.entries()]
    .map(([messageId, kind]) => emailPanel(messageId, kind, runs.filter((run) => run.run.messageId === messageId)))
    .filter((panel) => panel.runs.length > 0);
  return {
    generatedAt: now.toISOString(),
    period: { from: from.toISOString(), to: to.toISOString() },
    pauses,
    deliverability: deliverabilityOf(runs, deps.config.guardrails.reputation, now, maxSendRate),
    // The same rows as `npm run report -- campaign`: every run of an email summed into its row.
    emailRows: kpiRows(runs.map((run) => ({ ...run, run: { messageId: run.run.messageId, runId: run.run.runId } })), 'step'),
    emails,
    webinars,
    csql,
    revenue,
    nps,
    risingAccounts,
  };
}

function emailPanel(messageId: string, kind: MessageKind, runs: readonly RunCounters[]): EmailPanel {
  const total = sumCounts(runs.map((run) => run.totals));
  const points = [...runs]
    .sort((a, b) => a.firstAt.localeCompare(b.firstAt))
    .map((run): RunPoint => ({ runId: run.run.runId, firstAt: run.firstAt, ...(run.run.stepId ? { stepId: run.run.stepId } : {}), counts: run.totals, rates: ratesOf(run.totals) }));
  const steps = kind === 'sequence' ? kpiRows(runs, 'step').filter((row) => row.key !== 'total') : [];
  return { messageId, kind, total: { counts: total, rates: ratesOf(total) }, runs: points, steps };
}

/** The last week's emails over every campaign, against where we pause and where SES reviews. */
export function deliverabilityOf(runs: readonly RunCounters[], limits: DashboardDeps['config']['guardrails']['reputation'], now: Date, maxSendRate: number | undefined): Deliverability {
  const since = now.getTime() - DELIVERABILITY_WINDOW_DAYS * 86_400_000;
  const counts = sumCounts(runs.filter((run) => Date.parse(run.firstAt) >= since).map((run) => run.totals));
  return {
    windowDays: DELIVERABILITY_WINDOW_DAYS,
    sent: counts.sent,
    bounced: counts.bounced,
    complained: counts.complained,
    bounceRate: counts.sent === 0 ? 0 : counts.bounced / counts.sent,
    complaintRate: counts.sent === 0 ? 0 : counts.complained / counts.sent,
    pauseLimits: { bounceRate: limits.maxBounceRate, complaintRate: limits.maxComplaintRate, minimumSample: limits.minimumSample },
    sesReviewLevels: SES_REVIEW_LEVELS,
    ...(maxSendRate === undefined ? {} : { maxSendRate }),
  };
}

async function csqlPanel(deps: DashboardDeps, period: { from: Date; to: Date }, now: Date): Promise<DashboardView['csql']> {
  const promotions = (await deps.csql.listPromotionsSince(period.from)).filter((promotion) => Date.parse(promotion.promotedAt) < period.to.getTime());
  const accountIds = [...new Set(promotions.map((promotion) => promotion.accountId))];
  const accounts = await deps.customers.getAccounts(accountIds);
  const [states, outcomes, history] = await Promise.all([
    deps.csql.getStates(accountIds),
    mapBounded(accountIds, 8, async (accountId) => [accountId, await deps.pipeline.listOutcomesOfAccount(accountId)] as const).then((entries) => new Map(entries)),
    mapBounded(accountIds, 4, async (accountId) => [accountId, await readAccountHistory(accountId, deps)] as const).then((entries) => new Map(entries)),
  ]);
  const events = new Map([...history].map(([accountId, facts]) => [accountId, facts.events]));
  const latest = new Map<string, CsqlPromotion>();
  for (const promotion of promotions) if ((latest.get(promotion.accountId)?.promotedAt ?? '') < promotion.promotedAt) latest.set(promotion.accountId, promotion);
  const list = [...latest.values()]
    .sort((a, b) => b.promotedAt.localeCompare(a.promotedAt))
    .map((promotion): CsqlListEntry => {
      const account = accounts.get(promotion.accountId);
      const state = states.get(promotion.accountId);
      const answers = (outcomes.get(promotion.accountId) ?? []).filter((outcome) => outcome.at >= promotion.promotedAt);
      const answer = answers.find((outcome) => outcome.type === 'csql-rejected') ?? answers.find((outcome) => outcome.type === 'csql-accepted');
      const status = state?.status === 'not-csql' ? `demoted${state.demotionReason ? `: ${state.demotionReason}` : ''}` : answer ? answer.type.replace('csql-', '') : 'csql';
      const facts = history.get(promotion.accountId);
      return {
        accountId: promotion.accountId,
        ...(account?.name ? { accountName: account.name } : {}),
        ...(account?.tier ? { tier: account.tier } : {}),
        promotedAt: promotion.promotedAt,
        ruleId: promotion.ruleId,
        ruleDescription: promotion.ruleDescription,
        accountScore: promotion.accountScore,
        health: promotion.health,
        topSignals: promotion.topSignals,
        status,
        trend: account && facts ? trendOf(account, facts, deps.config as EngineConfig, now) : [],
      };
    });
  return { funnel: csqlFunnel(promotions, outcomes, period), list, touchedBy: csqlAttribution(promotions, events, outcomes, period) };
}

/** The account's engagement score and health at each of the last weeks, as the scoring config weighs them. */
function trendOf(account: Parameters<typeof replayedFacts>[0], history: AccountHistory, config: EngineConfig, now: Date): CsqlListEntry['trend'] {
  const points: CsqlListEntry['trend'] = [];
  for (let week = TREND_WEEKS; week >= 0; week--) {
    const at = new Date(now.getTime() - week * WEEK_MS);
    const nps = npsOf(history.answers.filter((answer) => Date.parse(answer.answeredAt) <= at.getTime())).nps;
    const facts = replayedFacts(account, history.events, config, at, history.usage, history.attended, undefined, nps);
    points.push({ at: at.toISOString(), score: Math.round(facts.engagement.total * 10) / 10, health: Math.round((facts.health ?? 0) * 10) / 10 });
  }
  return points;
}

const RISING_ACCOUNTS = 5;

/**
 * The accounts with the highest engagement roll-up (one BatchGet of the account scores) that are
 * not CSQLs now, their score with breadth and health replayed from their histories, highest first.
 */
async function risingAccountsOf(accounts: readonly Account[], deps: DashboardDeps, now: Date): Promise<RisingAccount[]> {
  const scoring = deps.config.scoring;
  const scores = await deps.scores.getScores('account', accounts.map((account) => account.accountId));
  const ranked = accounts
    .map((account) => ({ account, rollUp: decayedScore(scores.get(account.accountId), now, scoring) }))
    .filter((entry) => entry.rollUp > 0)
    .sort((a, b) => b.rollUp - a.rollUp)
    .slice(0, RISING_ACCOUNTS * 3);
  const states = await deps.csql.getStates(ranked.map((entry) => entry.account.accountId));
  const candidates = ranked.filter((entry) => states.get(entry.account.accountId)?.status !== 'csql').slice(0, RISING_ACCOUNTS);
  const rising = await mapBounded(candidates, 4, async ({ account }): Promise<RisingAccount> => {
    const trend = trendOf(account, await readAccountHistory(account.accountId, deps), deps.config as EngineConfig, now);
    const latest = trend.at(-1) ?? { score: 0, health: 0 };
    return { accountId: account.accountId, accountName: account.name, tier: account.tier, score: latest.score, health: latest.health, trend };
  });
  return rising.sort((a, b) => b.score - a.score);
}

async function npsPanels(deps: DashboardDeps): Promise<DashboardView['nps']> {
  return mapBounded(deps.config.surveys, 4, async (survey) => {
    const answers = await deps.surveys.listAnswers(survey.id);
    return {
      surveyId: survey.id,
      answers: answers.length,
      nps: npsOf(answers).nps,
      byMonth: npsBy(answers, 'month').map((row) => ({ month: row.key, answers: row.answers, nps: row.nps })),
    };
  });
}
