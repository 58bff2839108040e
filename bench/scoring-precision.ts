/**
 * Part of bench `scoring`: does the config find the accounts with real expansion intent?
 * A synthetic population (bench/population/) runs through the engine's pure core exactly as the
 * engagement path would move it: the machine-traffic classifier, `scoreUpdatesOf` summed per
 * score entity in memory (the store's atomic ADD), `accountEngagement` (roll-up + breadth), the DEAR
 * health score, and the CSQL rules (`evaluateCsql`, no prior state: a first evaluation).
 *
 * Ranking: accounts the rules promote first, then every account by its account score (roll-up +
 * breadth), highest first; ties by account id. That is the list `npm run csql -- rank` gives sales
 * with the CSQLs on top. precision@20 = the share of the top 20 that have latent intent.
 * Baseline (same population, same run): accounts ranked by raw open count, machine opens included,
 * as a naive tool counts them. The ratio is our mean precision@20 over the seeds / the baseline's;
 * a baseline of 0 counts as one hit in twenty (so the ratio stays finite and is not flattered).
 *
 * Run alone (`npx tsx bench/scoring-precision.ts [config-dir]`) to try a candidate config folder.
 */
import { join, resolve } from 'node:path';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { evaluateCsql, type AccountFacts } from '../core/qualification/evaluate-csql.ts';
import { accountEngagement } from '../core/scoring/account-score.ts';
import { eraOf } from '../core/scoring/decayed-score.ts';
import { computeHealth } from '../core/scoring/health-score.ts';
import type { StoredScore } from '../core/scoring/score.ts';
import { halfLifeOf, scoreUpdatesOf } from '../core/scoring/score-event.ts';
import type { Figures } from './bench.ts';
import { round3, round4 } from './figure-math.ts';
import { formatNumber, formatTable } from './figure-table.ts';
import { engineViewOf, type EngineView, type TrafficTally } from './population/engine-events.ts';
import { generatePopulation, type Population } from './population/synthetic-population.ts';

export const PRECISION_SEEDS = [1, 2, 3, 4, 5] as const;
export const TOP = 20;

export interface RankedAccount {
  accountId: string;
  intent: boolean;
  promoted: boolean;
  ruleId: string | undefined;
  score: number;
  opens: number;
}

export interface SeedPrecision {
  seed: number;
  precision: number;
  baseline: number;
  promoted: number;
  promotedWithIntent: number;
  intentAccounts: number;
  events: number;
  traffic: TrafficTally;
  /** What the top 20 hold besides intent accounts, by confounder. */
  topFalse: Record<'pastIntent' | 'fan' | 'busy' | 'tier1' | 'scanned' | 'other', number>;
}

/** Every account of the population with the engine's verdict on it, ranked (see the header). */
export function rankPopulation(population: Population, view: EngineView, config: EngineConfig): RankedAccount[] {
  const { scoring, csqlRules } = config;
  const now = population.settings.now;
  const halfLifeMs = halfLifeOf(scoring);
  const epoch = eraOf(now, halfLifeMs);
  const scores = new Map<string, StoredScore>();
  const opens = new Map<string, number>();
  const add = (scope: 'contact' | 'account', id: string, signal: string, scaled: number) => {
    const key = `${scope}:${id}`;
    let stored = scores.get(key);
    if (!stored) {
      stored = { scope, id, epoch, scaledSum: 0, signals: {}, updatedAt: now.toISOString(), version: 0 };
      scores.set(key, stored);
    }
    stored.scaledSum += scaled;
    stored.signals[signal] = (stored.signals[signal] ?? 0) + scaled;
  };
  for (const event of view.events) {
    if (event.type === 'open') opens.set(event.accountId, (opens.get(event.accountId) ?? 0) + 1);
    for (const update of scoreUpdatesOf(event, scoring, epoch)) add(update.scope, update.id, update.signal, update.scaled);
  }
  const ranked = population.accounts.map((synthetic): RankedAccount => {
    const { account } = synthetic;
    const contactScores = new Map<string, StoredScore>();
    for (const contact of synthetic.contacts) {
      const stored = scores.get(`contact:${contact.contactId}`);
      if (stored) contactScores.set(contact.contactId, stored);
    }
    const engagement = accountEngagement(scores.get(`account:${account.accountId}`), contactScores, now, scoring);
    // The latest figure per metric, as the usage store keeps it; health reads the roll-up, as readAccountHealth does.
    const usage: Record<string, number> = {};
    for (const record of view.usage.get(account.accountId) ?? []) Object.assign(usage, record.metrics);
    const health = computeHealth(scoring.health, { usage, engagementScore: engagement.rollUp }).total;
    const facts: AccountFacts = { account, engagement, health, webinarAttendances: view.attendances.get(account.accountId) ?? [] };
    const decision = evaluateCsql(facts, undefined, csqlRules, now);
    const promoted = decision.action === 'promote';
    return { accountId: account.accountId, intent: synthetic.intent, promoted, ruleId: promoted ? decision.rule.id : undefined, score: engagement.total, opens: opens.get(account.accountId) ?? 0 };
  });
  return ranked.sort((a, b) => Number(b.promoted) - Number(a.promoted) || b.score - a.score || a.accountId.localeCompare(b.accountId));
}

export function precisionAt(ranked: readonly { intent: boolean }[], k: number): number {
  return ranked.slice(0, k).filter((account) => account.intent).length / k;
}

export function measureSeed(seed: number, config: EngineConfig): SeedPrecision {
  const population = generatePopulation({ seed });
  const view = engineViewOf(population);
  const ranked = rankPopulation(population, view, config);
  const byOpens = [...ranked].sort((a, b) => b.opens - a.opens || a.accountId.localeCompare(b.accountId));
  const bySynthetic = new Map(population.accounts.map((synthetic) => [synthetic.account.accountId, synthetic]));
  const topFalse: SeedPrecision['topFalse'] = { pastIntent: 0, fan: 0, busy: 0, tier1: 0, scanned: 0, other: 0 };
  for (const account of ranked.slice(0, TOP).filter((candidate) => !candidate.intent)) {
    const synthetic = bySynthetic.get(account.accountId);
    if (!synthetic) continue;
    // The first confounder that applies names it.
    if (synthetic.pastIntent) topFalse.pastIntent += 1;
    else if (synthetic.contacts.some((contact) => contact.fan)) topFalse.fan += 1;
    else if (synthetic.busy) topFalse.busy += 1;
    else if (synthetic.account.tier === 'tier1') topFalse.tier1 += 1;
    else if (synthetic.gateway) topFalse.scanned += 1;
    else topFalse.other += 1;
  }
  const promoted = ranked.filter((account) => account.promoted);
  return {
    seed,
    precision: precisionAt(ranked, TOP),
    baseline: precisionAt(byOpens, TOP),
    promoted: promoted.length,
    promotedWithIntent: promoted.filter((account) => account.intent).length,
    intentAccounts: population.accounts.filter((account) => account.intent).length,
    events: view.events.length,
    traffic: view.traffic,
    topFalse,
  };
}

/** `scoring.precision_at_20` and `scoring.precision_ratio_vs_most_opens`, with each seed printed. */
export function precisionFigures(config: EngineConfig, seeds: readonly number[] = PRECISION_SEEDS): Figures {
  const results = seeds.map((seed) => measureSeed(seed, config));
  const share = (part: number, whole: number) => (whole === 0 ? '-' : `${Math.round((100 * part) / whole)} %`);
  for (const line of formatTable(
    ['seed', 'events', 'precision@20', 'most opens', 'promoted (with intent)', 'machine opens caught', 'scanner clicks caught', 'people clicks kept', 'top-20 false: past/fan/busy/tier1/scanned/other'],
    results.map((result) => {
      const { opens, clicks } = result.traffic;
      return [
        String(result.seed),
        formatNumber(result.events),
        formatNumber(result.precision),
        formatNumber(result.baseline),
        `${result.promoted} (${result.promotedWithIntent} of ${result.intentAccounts})`,
        share(opens['apple-mpp'].machine + opens.scanner.machine, opens['apple-mpp'].machine + opens['apple-mpp'].human + opens.scanner.machine + opens.scanner.human),
        share(clicks.scanner.machine, clicks.scanner.machine + clicks.scanner.human),
        share(clicks.person.human, clicks.person.machine + clicks.person.human),
        Object.values(result.topFalse).join('/'),
      ];
    }),
  )) console.log(line);
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const precision = mean(results.map((result) => result.precision));
  const baseline = mean(results.map((result) => result.baseline));
  const ratio = precision / Math.max(baseline, 1 / TOP);
  console.log(`precision@${TOP} over ${seeds.length} seeds: ${round3(precision)} (promoted first, then account score) vs ${round3(baseline)} ranking by raw open count: ${round3(ratio)} x`);
  return {
    'scoring.precision_at_20': round4(precision),
    'scoring.precision_at_20_most_opens': round4(baseline),
    'scoring.precision_ratio_vs_most_opens': round4(ratio),
  };
}

// Alone: `npx tsx bench/scoring-precision.ts [config-dir]` measures a candidate config folder.
if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const root = new URL('..', import.meta.url).pathname;
  const location = defaultConfigLocation(root);
  const configDir = process.argv[2];
  const config = await loadConfigOrThrow(configDir ? { ...location, configDir: resolve(configDir) } : { ...location, configDir: join(root, 'campaigns') });
  console.log(precisionFigures(config));
}
