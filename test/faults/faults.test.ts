/**
 * The fault suite: on DynamoDB Local, a campaign run to 800 contacts, the first step of a nurture
 * sequence and the follow-ups of a webinar session, with faults injected in DynamoDB, SES, the send
 * queue, the dispatcher, SES-event ingestion and EventBridge (fault-scenario.ts), then settled as
 * ops would. No email goes twice, every intended email ends sent, skipped with a reason (frequency
 * caps included), failed with a reason or in the dead-letter queue, the runs' counters equal what
 * SES accepted and the distinct events, the scores (webinar signals included) equal a clean
 * replay's, and every CSQL promotion reaches the CRM, which sees each once after deduping.
 */
import { describe, expect, inject, it } from 'vitest';
import { faultsLine, runFaultScenario } from './fault-scenario.ts';

describe('fault suite', () => {
  it('a campaign, a sequence step and webinar follow-ups through injected faults: 0 duplicates, 0 lost, every failure visible, counters, scores and promotions exact', async () => {
    const totals = await runFaultScenario({ endpoint: inject('dynamoEndpoint'), tablePrefix: `faults-${Date.now().toString(36)}`, contacts: 800, seed: 20261203 });
    console.log(faultsLine(totals));

    expect(totals.lostExamples).toEqual([]);
    expect(totals.duplicates).toBe(0);
    expect(totals.lost).toBe(0);
    // Nothing left waiting on ops once the stranded review has run and the release job has drained.
    expect(totals.strandedLeft).toBe(0);
    expect(totals.sent + totals.skipped + totals.failed + totals.deadLetters).toBe(totals.intended);
    // Each kind of email was really there and really sent.
    for (const [kind, endings] of Object.entries(totals.byKind)) {
      expect(endings.intended, kind).toBeGreaterThan(kind === 'campaign' ? 700 : 150);
      expect(endings.sent, kind).toBeGreaterThan(endings.intended / 2);
    }
    // The caps held some bulk emails back, at the sequence job and when parked ones were released.
    expect(totals.capSkipped).toBeGreaterThan(0);
    expect(totals.released).toBeGreaterThan(0);

    // Each run's sent counter, its sent items and SES's accepted emails agree; SES took the failed ones only after a timeout.
    expect(totals.counterErrors).toEqual([]);
    expect(totals.failedButAccepted).toBeLessThanOrEqual(totals.failed);
    expect(totals.sesCounterErrors).toEqual([]);

    expect(totals.scoresCompared).toBeGreaterThan(800);
    expect(totals.scoreMismatches).toEqual([]);
    expect(totals.webinarSignals[0]).toBeGreaterThan(150);
    expect(totals.webinarSignals[0]).toBe(totals.webinarSignals[1]);

    // Every promotion in the audit trail reached the CRM (at least once); deduped by event id, each exactly once; the outbox is empty.
    const { promotions } = totals;
    expect(promotions.recorded).toBeGreaterThan(0);
    expect(promotions.missing).toEqual([]);
    expect(promotions.phantom).toEqual([]);
    expect(promotions.unique).toBe(promotions.recorded);
    expect(promotions.delivered).toBeGreaterThanOrEqual(promotions.unique);
    expect(promotions.unpublishedLeft).toBe(0);

    // Every fault kind really struck.
    for (const [fault, count] of Object.entries(totals.injected)) expect(count, fault).toBeGreaterThan(0);
    expect(totals.dispatcherRestarts).toBeGreaterThan(0);
    expect(totals.strandedResolved).toBeGreaterThan(0);
  }, 600_000);
});
