/**
 * Bench `faults`: the fault suite's scenario (test/faults/fault-scenario.ts) on a DynamoDB Local
 * started here: one campaign run through injected DynamoDB, SES, queue, dispatcher and ingestion
 * faults, settled as ops would. Figures: `faults.intended`, `faults.duplicates` (target 0),
 * `faults.lost` (target 0), the outcomes (`faults.sent`, `faults.skipped`, `faults.failed`,
 * `faults.dead_letters`, `faults.stranded_resolved`), `faults.counter_errors` and
 * `faults.score_mismatches` (targets 0), and `faults.seconds`. `FAULTS_CONTACTS` and `FAULTS_SEED`
 * change the run's size and faults.
 */
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import { faultsLine, runFaultScenario } from '../test/faults/fault-scenario.ts';
import type { Figures } from './bench.ts';
import { round1 } from './figure-math.ts';

export const name = 'faults';

export async function run(): Promise<Figures> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  try {
    const started = performance.now();
    const totals = await runFaultScenario({
      endpoint: dynamo.endpoint,
      tablePrefix: 'bench-faults',
      contacts: Number(process.env.FAULTS_CONTACTS ?? 2_000),
      seed: Number(process.env.FAULTS_SEED ?? 20261203),
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(faultsLine(totals));
    const counterErrors =
      Number(totals.counters.sentCounter !== totals.counters.sentItems) +
      Number(totals.counters.acceptedAndSent !== totals.counters.sentItems) +
      Object.values(totals.sesCounters).filter(([counted, distinct]) => counted !== distinct).length;
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
      'faults.counter_errors': counterErrors,
      'faults.score_mismatches': totals.scoreMismatches.length,
      'faults.seconds': round1(seconds),
    };
  } finally {
    await dynamo.stop();
  }
}
