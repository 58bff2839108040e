/**
 * Every bench `npm run bench` knows, in the order it runs them. A new bench is a module in
 * `bench/` exporting `name` and `run()`, added to this list.
 */
import type { Bench } from './bench.ts';
import * as costBench from './cost.ts';
import * as faultsBench from './faults.ts';
import * as fuzzBench from './fuzz.ts';
import * as dispatchBench from './dispatch.ts';
import * as historyBench from './history-import.ts';
import * as importBench from './import.ts';
import * as importMemoryBench from './import-memory.ts';
import * as lambdaBench from './lambda.ts';
import * as machineBench from './machine.ts';
import * as renderBench from './render.ts';
import * as reportingBench from './reporting.ts';
import * as scoringBench from './scoring.ts';
import * as sendBench from './send.ts';
import * as sendQuotaBench from './send-quota.ts';
import * as trackingBench from './tracking.ts';
import * as webinarsBench from './webinars.ts';

export const BENCHES: readonly Bench[] = [importBench, importMemoryBench, renderBench, sendBench, sendQuotaBench, dispatchBench, trackingBench, webinarsBench, scoringBench, lambdaBench, machineBench, historyBench, reportingBench, fuzzBench, faultsBench, costBench];
