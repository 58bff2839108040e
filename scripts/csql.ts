/**
 * `npm run csql -- <command>`: the CSQL list for customer sales, and why.
 *   list [--since <ISO date>]          promotions (newest first) with their rule and reasons
 *   explain <accountId>                 the account's facts, each rule's verdict, its state, its last promotion's evidence
 *   rank [--limit N]                    every account by engagement score (with breadth), with its top signals
 *   export [--since <ISO date>]         promotions as CSV (one row per promotion; reasons and evidence in columns)
 *   qualify [<accountId> ...]           evaluates accounts now (all when none named) and promotes / demotes
 *   whatif <candidate-config-dir>       replays stored history under the candidate's weights and rules (its YAML;
 *                                       the templates stay this repository's) and prints who would be promoted or
 *                                       dropped compared with today, and why; writes nothing
 * Target: the local engine (as npm run import), or --aws-table <deployed table name> with AWS credentials.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { TIERS } from '../core/config/schema/common.ts';
import type { Store } from '../core/ports.ts';
import type { CsqlPromotion } from '../core/qualification/csql-promotion.ts';
import { evaluateCsql, matches, type CsqlDecision } from '../core/qualification/evaluate-csql.ts';
import { accountFacts, qualifyAccounts, type QualifyDeps } from '../core/qualification/qualify-accounts.ts';
import { whatIf } from '../core/qualification/what-if.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';
import { withToolStore } from '../local/local-store-session.ts';

const USAGE = [
  'usage: npm run csql -- list [--since <ISO date>]',
  '       npm run csql -- explain <accountId>',
  '       npm run csql -- rank [--limit N]',
  '       npm run csql -- export [--since <ISO date>] > csql.csv',
  '       npm run csql -- qualify [<accountId> ...]',
  '       npm run csql -- whatif <candidate-config-dir>',
].join('\n');


async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: 'npm run csql -- list|explain|rank|export|qualify ...',
      summary: `Customer Success Qualified Leads: who, by which rule, on which signals.\n${USAGE}`,
      options: { since: { type: 'string' }, limit: { type: 'string' }, 'aws-table': { type: 'string' } },
      optionHelp: {
        since: 'list / export: promotions from this date (default: the last 90 days)',
        limit: 'rank: how many accounts (default 20)',
        'aws-table': AWS_TABLE_HELP,
      },
    },
    projectRoot,
  );
  const [command, ...args] = positionals;
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  const since = values.since ? new Date(values.since) : new Date(Date.now() - 90 * 86_400_000);
  if (Number.isNaN(since.getTime())) throw new UsageError(`--since: expected a date like 2026-12-01, got '${values.since}'`);
  const run = (work: (store: Store, deps: QualifyDeps) => Promise<void>) =>
    withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, (store) => work(store, { ...store, config, clock: systemClock }));

  switch (command) {
    case 'list':
      return run(async (store) => {
        const promotions = (await store.csql.listPromotionsSince(since)).sort((a, b) => b.promotedAt.localeCompare(a.promotedAt));
        if (promotions.length === 0) console.log(`no CSQL promotions since ${since.toISOString().slice(0, 10)}`);
        for (const promotion of promotions) console.log(describePromotion(promotion));
      });
    case 'explain': {
      const [accountId] = args;
      if (!accountId) throw new UsageError(USAGE);
      return run(async (store, deps) => {
        const account = (await store.customers.getAccounts([accountId])).get(accountId);
        if (!account) throw new UsageError(`no account '${accountId}'`);
        const now = systemClock.now();
        const facts = await accountFacts(account, deps, now);
        const state = await store.csql.getState(accountId);
        console.log(`${account.name} (${accountId}, ${account.tier}, ${account.phase}, owns ${account.products.join(', ')})`);
        console.log(`  engagement ${facts.engagement.total.toFixed(1)} = roll-up ${facts.engagement.rollUp.toFixed(1)} + breadth ${facts.engagement.breadth} (${facts.engagement.engagedContacts} engaged contact(s)); health ${facts.health === undefined ? 'unknown' : facts.health.toFixed(0)}; webinar attendances ${facts.webinarAttendances.length}`);
        console.log(`  top signals: ${facts.engagement.signals.slice(0, 5).map((signal) => `${signal.signal} ${signal.score.toFixed(1)}`).join(', ') || 'none'}`);
        console.log(`  state: ${state ? `${state.status}${state.promotedAt ? ` (promoted ${state.promotedAt} by ${state.ruleId})` : ''}${state.demotedAt ? `, demoted ${state.demotedAt}: ${state.demotionReason}` : ''}` : 'never evaluated'}`);
        const pipeline = facts.pipeline;
        if (pipeline && (pipeline.openOpportunities.length > 0 || pipeline.lastRejection)) {
          console.log(`  CRM: ${pipeline.openOpportunities.length > 0 ? `open opportunit${pipeline.openOpportunities.length === 1 ? 'y' : 'ies'} ${pipeline.openOpportunities.join(', ')}` : 'no open opportunity'}${pipeline.lastRejection ? `; last rejected ${pipeline.lastRejection.at} (${pipeline.lastRejection.reason})` : ''}`);
        }
        console.log(`  decision now: ${describeDecision(evaluateCsql(facts, state, config.csqlRules, now))}`);
        for (const rule of config.csqlRules.rules) {
          const matched = matches(rule, facts, now);
          console.log(`  rule ${rule.id}: ${matched ? `matches ${JSON.stringify(matched)}` : 'does not match'} (${rule.description})`);
        }
        const [last] = (await store.csql.listPromotionsOfAccount(accountId)).sort((a, b) => b.promotedAt.localeCompare(a.promotedAt));
        if (last) {
          console.log(`  last promotion ${last.promotedAt}: ${last.ruleId}; evidence:`);
          for (const evidence of last.evidence) console.log(`    ${evidence.occurredAt}  ${evidence.contactId}  ${evidence.type}${evidence.source ? ` (${evidence.source})` : ''}`);
        }
      });
    }
    case 'rank': {
      const limit = values.limit ? Number(values.limit) : 20;
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a whole number, got '${values.limit}'`);
      return run(async (store, deps) => {
        const accounts = (await Promise.all(TIERS.map((tier) => store.customers.listAccountsByTier(tier)))).flat();
        const states = await store.csql.getStates(accounts.map((account) => account.accountId));
        const ranked = [];
        for (const account of accounts) ranked.push({ account, facts: await accountFacts(account, deps, systemClock.now()) });
        ranked.sort((a, b) => b.facts.engagement.total - a.facts.engagement.total);
        for (const { account, facts } of ranked.slice(0, limit)) {
          const signals = facts.engagement.signals.slice(0, 3).map((signal) => `${signal.signal} ${signal.score.toFixed(1)}`).join(', ');
          console.log(`${facts.engagement.total.toFixed(1).padStart(7)}  ${account.accountId.padEnd(12)} ${account.tier} ${states.get(account.accountId)?.status === 'csql' ? 'CSQL ' : '     '} ${facts.engagement.engagedContacts} engaged  ${signals}`);
        }
      });
    }
    case 'export':
      return run(async (store) => {
        const promotions = await store.csql.listPromotionsSince(since);
        process.stdout.write(
          stringify(
            promotions.map((promotion) => ({
              account_id: promotion.accountId,
              promoted_at: promotion.promotedAt,
              rule: promotion.ruleId,
              reason: promotion.ruleDescription,
              account_score: promotion.accountScore,
              health: promotion.health,
              values: JSON.stringify(promotion.values),
              top_signals: promotion.topSignals.map((signal) => `${signal.signal}:${signal.contribution}`).join(' '),
              evidence: promotion.evidence.map((evidence) => `${evidence.occurredAt} ${evidence.contactId} ${evidence.type}${evidence.source ? ` ${evidence.source}` : ''}`).join(' | '),
              event_id: `csql-qualified:${promotion.accountId}:${promotion.promotedAt}`,
            })),
            { header: true },
          ),
        );
      });
    case 'qualify':
      return run(async (store, deps) => {
        const ids = args.length > 0 ? args : (await Promise.all(TIERS.map((tier) => store.customers.listAccountsByTier(tier)))).flat().map((account) => account.accountId);
        const outcomes = await qualifyAccounts(ids, deps);
        for (const outcome of outcomes.filter((candidate) => candidate.decision !== 'stay')) console.log(`${outcome.accountId}: ${outcome.decision}${outcome.reason ? ` (${outcome.reason})` : ''}`);
        console.log(`${outcomes.length} account(s) evaluated: ${countBy(outcomes.map((outcome) => outcome.decision))}`);
        if (outcomes.some((outcome) => outcome.decision === 'failed')) process.exitCode = 1;
      });
    case 'whatif': {
      const [dir] = args;
      if (!dir) throw new UsageError(USAGE);
      const candidate = await loadConfigOrThrow({ configDir: resolve(dir), templatesDir: join(projectRoot, 'templates'), rootDir: resolve(dir) });
      return run(async (store) => {
        const accounts = (await Promise.all(TIERS.map((tier) => store.customers.listAccountsByTier(tier)))).flat();
        const verdicts = await whatIf(accounts, config, candidate, systemClock.now(), store);
        const changed = verdicts.filter((verdict) => verdict.change !== 'same');
        for (const verdict of changed) {
          const today = verdict.today ? `${verdict.today.ruleId} at ${verdict.today.score}` : 'not a CSQL';
          const next = verdict.candidate ? `${verdict.candidate.ruleId} at ${verdict.candidate.score}` : 'not a CSQL';
          console.log(`${verdict.change.padEnd(12)} ${verdict.accountId.padEnd(12)} today: ${today}; candidate: ${next}`);
        }
        const count = (change: string) => verdicts.filter((verdict) => verdict.change === change).length;
        console.log(`${verdicts.length} account(s) replayed: ${count('promoted')} would be promoted, ${count('dropped')} dropped, ${count('rule-changed')} by another rule, ${verdicts.filter((verdict) => verdict.today && verdict.change === 'same').length} stay CSQL-worthy; nothing written`);
      });
    }
    default:
      throw new UsageError(USAGE);
  }
}

function describeDecision(decision: CsqlDecision): string {
  return decision.action === 'promote' ? `promote by ${decision.rule.id}` : `${decision.action} (${decision.reason})`;
}

function describePromotion(promotion: CsqlPromotion): string {
  const signals = promotion.topSignals.map((signal) => `${signal.signal} ${signal.contribution}`).join(', ');
  return `${promotion.promotedAt}  ${promotion.accountId}  ${promotion.ruleId}: score ${promotion.accountScore}, health ${promotion.health}; ${signals}; ${promotion.evidence.length} evidence event(s)`;
}

function countBy(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].map(([value, count]) => `${value} ${count}`).join(', ');
}


runCommand(main);
