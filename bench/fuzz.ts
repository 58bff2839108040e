/**
 * Bench `fuzz`: the bad-input suite (test/fuzz/: the same properties the tests run) over every HTTP
 * route and every event handler, against DynamoDB Local started here. Figures: `fuzz.cases` (inputs
 * tried), `fuzz.5xx` (5xx answers and handler crashes; target 0), `fuzz.failures` (properties that
 * failed: a 5xx, a write from a refused input, personal data or a token in a log line; target 0),
 * and `fuzz.cases_per_second`. Baseline, same run: `GET /health` on the same app as many times,
 * `fuzz.case_vs_health_ms` the ratio of a case's mean time to a health check's. `FUZZ_SEED` replays
 * a seed; `FUZZ_RUNS_SCALE` scales every property's number of inputs (default 1); `FUZZ_ONLY` runs
 * the properties whose target contains it.
 */
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import { FUZZ_PROPERTIES } from '../test/fuzz/fuzz-properties.ts';
import { emptyTotals, runProperty } from '../test/fuzz/fuzz-run.ts';
import { buildFuzzWorld } from '../test/fuzz/fuzz-world.ts';
import type { Figures } from './bench.ts';
import { round1, round3 } from './figure-math.ts';

export const name = 'fuzz';

export async function run(): Promise<Figures> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  const scale = process.env.FUZZ_RUNS_SCALE === undefined ? 1 : Number(process.env.FUZZ_RUNS_SCALE);
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    await ensureTable(client, 'bench-fuzz');
    const world = await buildFuzzWorld(client, 'bench-fuzz');
    const totals = emptyTotals();
    const started = performance.now();
    world.logs.start();
    const seconds: Record<string, number> = {};
    try {
      for (const property of FUZZ_PROPERTIES.filter((candidate) => candidate.target.includes(process.env.FUZZ_ONLY ?? ''))) {
        const propertyStarted = performance.now();
        await runProperty(world, property, totals, scale, seed);
        seconds[property.target] = (performance.now() - propertyStarted) / 1000;
      }
    } finally {
      world.logs.stop();
    }
    const fuzzMs = performance.now() - started;
    const healthStarted = performance.now();
    for (let request = 0; request < totals.cases; request++) await (await world.app.request('/health')).arrayBuffer();
    const healthMs = performance.now() - healthStarted;

    for (const [target, cases] of Object.entries(totals.casesByTarget)) console.log(`  ${target}: ${cases} cases in ${round1(seconds[target] ?? 0)} s`);
    console.log(`${totals.cases} cases in ${round1(fuzzMs / 1000)} s; ${totals.fiveXx} 5xx; ${totals.failures.length} failed properties`);
    console.log(`baseline: ${totals.cases} GET /health in ${round1(healthMs)} ms`);
    for (const failure of totals.failures) console.error(`FAILED ${failure}`);
    return {
      'fuzz.cases': totals.cases,
      'fuzz.5xx': totals.fiveXx,
      'fuzz.failures': totals.failures.length,
      'fuzz.cases_per_second': round1(totals.cases / (fuzzMs / 1000)),
      'fuzz.case_vs_health_ms': round3(fuzzMs / healthMs),
    };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}
