/**
 * The bad-input suite (issue 14, item 4): every HTTP route and every event handler fed malformed,
 * oversized and hostile input against DynamoDB Local. Each property fails on a 5xx (or a handler
 * crash), on a write caused by a refused input, and on a log line carrying a planted address or
 * name or a capability token. Prints `fuzz.cases` and `fuzz.5xx` at the end; `npm run bench -- fuzz`
 * runs the same properties and records them as figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { buildFuzzWorld, type FuzzWorld } from './fuzz-world.ts';
import { emptyTotals, runProperty } from './fuzz-run.ts';
import { FUZZ_PROPERTIES } from './fuzz-properties.ts';

/** A failure prints its seed; `FUZZ_SEED=<seed> npm run test:fuzz` replays it (fresh seeds otherwise). */
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

let table: TestTable;
let world: FuzzWorld;
const totals = emptyTotals();

beforeAll(async () => {
  table = await createTestTable('fuzz');
  world = await buildFuzzWorld(table.client, table.tableName);
  world.logs.start();
}, 60_000);

afterAll(async () => {
  world?.logs.stop();
  console.log(`bad-input suite: fuzz.cases = ${totals.cases}, fuzz.5xx = ${totals.fiveXx}\n${Object.entries(totals.casesByTarget).map(([target, cases]) => `  ${target}: ${cases}`).join('\n')}`);
  await table?.drop();
});

describe('bad input over every HTTP route and event handler', () => {
  for (const property of FUZZ_PROPERTIES) {
    it(`${property.target}: no 5xx or crash, no write when refused, nothing personal in logs`, async () => {
      expect(await runProperty(world, property, totals, 1, SEED)).toBeUndefined();
    }, 180_000);
  }
});
