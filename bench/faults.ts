/**
 * Bench `faults`: the fault suite's scenario (test/faults/fault-scenario.ts) on a DynamoDB Local
 * started here: a campaign run, a sequence step and webinar follow-ups through injected DynamoDB,
 * SES, queue, dispatcher, ingestion and EventBridge faults, settled as ops would; then, as the
 * same-run baseline, the same scenario with every fault off. Figures: `faults.intended`,
 * `faults.duplicates` (target 0), `faults.lost` (target 0), the outcomes (`faults.sent`,
 * `faults.skipped`, `faults.failed`, `faults.dead_letters`, `faults.stranded_resolved`,
 * `faults.cap_skipped`), per kind (`faults.sequence_sends`, `faults.webinar_follow_ups`),
 * `faults.counter_errors`, `faults.score_mismatches` and the promotions' (`faults.promotions`,
 * `faults.promotions_missing`, `faults.unpublished_left`; targets 0 but the first), `faults.seconds`,
 * `faults.clean_seconds` and `faults.seconds_over_clean` (seconds per intended email with faults
 * over the same without). `FAULTS_CONTACTS`, `FAULTS_CLEAN_CONTACTS` and `FAULTS_SEED` change the
 * runs' sizes and faults.
 */
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import { faultsLine, runFaultScenario, type FaultTotals } from '../test/faults/fault-scenario.ts';
import type { Figures } from './bench.ts';
import { round1 } from './figure-math.ts';

export const name = 'faults';

export async function run(): Promise<Figures> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const contacts = Number(process.env.FAULTS_CONTACTS ?? 1_000);
  const seed = Number(process.env.FAULTS_SEED ?? 20261203);
  const timed = async (faults: boolean, size: number): Promise<{ totals: FaultTotals; seconds: number }> => {
    const started = performance.now();
    const totals = await runFaultScenario({ endpoint: dynamo.endpoint, tablePrefix: faults ? 'bench-faults' : 'bench-clean', contacts: size, seed, faults });
    return { totals, seconds: (performance.now() - started) / 1000 };
  };
  try {
    const { totals, seconds } = await timed(true, contacts);
    console.log(faultsLine(totals));
    const clean = await timed(false, Number(process.env.FAULTS_CLEAN_CONTACTS ?? contacts));
    const overClean = seconds / totals.intended / (clean.seconds / clean.totals.intended);
    console.log(`faults: clean baseline ${clean.totals.intended} intended in ${round1(clean.seconds)} s; with faults ${totals.intended} in ${round1(seconds)} s: ${overClean.toFixed(2)}x the seconds per intended email`);
    return {
      'faults.intended': totals.intended,
      'faults.duplicates': totals.duplicates,
      'faults.lost': totals.lost,
      'faults.sent': totals.sent,
      'faults.skipped': totals.skipped,
      'faults.failed': totals.failed,
      'faults.dead_letters': totals.deadLetters,
      'faults.stranded_resolved': totals.strandedResolved,
      'faults.stranded_left': totals.strandedLeft,
      'faults.cap_skipped': totals.capSkipped,
      'faults.sequence_sends': totals.byKind.sequence.sent,
      'faults.webinar_follow_ups': totals.byKind.webinar.sent,
      'faults.counter_errors': totals.counterErrors.length + totals.sesCounterErrors.length,
      'faults.score_mismatches': totals.scoreMismatches.length,
      'faults.promotions': totals.promotions.recorded,
      'faults.promotions_missing': totals.promotions.missing.length + totals.promotions.phantom.length,
      'faults.unpublished_left': totals.promotions.unpublishedLeft,
      'faults.seconds': round1(seconds),
      'faults.clean_seconds': round1(clean.seconds),
      'faults.seconds_over_clean': Math.round(overClean * 100) / 100,
    };
  } finally {
    await dynamo.stop();
  }
}
