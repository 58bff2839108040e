/**
 * The fault suite: one campaign run to 2,000 contacts on DynamoDB Local with faults injected in
 * DynamoDB, SES, the send queue, the dispatcher and SES-event ingestion (fault-scenario.ts), then
 * settled as ops would. No recipient gets two emails, every intended email ends sent, skipped with
 * a reason, failed with a reason or in the dead-letter queue, the run's counters equal what SES
 * accepted and the distinct events, and the scores equal a clean replay's.
 */
import { describe, expect, inject, it } from 'vitest';
import { faultsLine, runFaultScenario } from './fault-scenario.ts';

describe('fault suite', () => {
  it('a campaign run through injected faults: 0 duplicates, 0 lost, every failure visible, counters and scores exact', async () => {
    const totals = await runFaultScenario({ endpoint: inject('dynamoEndpoint'), tablePrefix: `faults-${Date.now().toString(36)}`, contacts: 2_000, seed: 20261203 });
    console.log(faultsLine(totals));

    expect(totals.duplicates).toBe(0);
    expect(totals.lost).toBe(0);
    // Nothing left waiting on ops once the stranded review has run and the release job has drained.
    expect(totals.strandedLeft).toBe(0);
    expect(totals.sent + totals.skipped + totals.failed + totals.deadLetters).toBe(totals.intended);
    // Every fault kind really struck.
    for (const [fault, count] of Object.entries(totals.injected)) expect(count, fault).toBeGreaterThan(0);
    expect(totals.dispatcherRestarts).toBeGreaterThan(0);
    expect(totals.strandedResolved).toBeGreaterThan(0);

    // The run's sent counter, the sent items and SES's accepted emails agree; SES took the failed ones only after a timeout.
    expect(totals.counters.sentCounter).toBe(totals.counters.sentItems);
    expect(totals.counters.acceptedAndSent).toBe(totals.counters.sentItems);
    expect(totals.failedButAccepted).toBeLessThanOrEqual(totals.failed);

    for (const [counter, [counted, distinct]] of Object.entries(totals.sesCounters)) expect(counted, counter).toBe(distinct);
    expect(totals.scoresCompared).toBeGreaterThan(1_000);
    expect(totals.scoreMismatches).toEqual([]);
  }, 600_000);
});
