/**
 * The one engagement path against DynamoDB Local: an event and its score moves (contact and
 * account) are one transaction; a resent event changes nothing; machine traffic is recorded and
 * scores nothing; concurrent events add up exactly; a new era rebases the stored score once and the
 * score stays the closed-form decayed sum; a score stored before epochs existed is rebased too; a
 * write whose score epoch is stale stores neither the event nor any score.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { ERA_HALF_LIVES, SCORE_EPOCH, scaledIncrement, scoreAt } from '../../core/scoring/decayed-score.ts';
import { recordEngagement } from '../../core/scoring/record-engagement.ts';
import { halfLifeOf } from '../../core/scoring/score-event.ts';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let now = new Date('2026-12-02T00:00:00Z');
const clock = { now: () => now };
const path = () => ({ engagement: table.store.engagement, scores: table.store.scores, scoring: config.scoring, clock });
const event = (id: string, type: EngagementEvent['type'], contactId: string, at: Date, extra: Partial<EngagementEvent> = {}): EngagementEvent => ({
  eventId: id, type, contactId, accountId: `acc-of-${contactId}`, occurredAt: at.toISOString(), campaignId: 'news', runId: 'r1', machine: false, detail: {}, ...extra,
});
const scoreOf = async (scope: 'contact' | 'account', id: string, at = now) => {
  const stored = await table.store.scores.getScore(scope, id);
  return stored ? scoreAt(stored.scaledSum, at, halfLifeOf(config.scoring), stored.epoch) : 0;
};

beforeAll(async () => {
  table = await createTestTable('engagement-path');
  ({ config } = await openConfig());
});
afterAll(() => table.drop());

describe('the engagement path', () => {
  it('records a click with its score moves on the contact and the account, and a resent click changes nothing', async () => {
    const click = event('click-1', 'click', 'c1', now);
    expect(await recordEngagement(click, path())).toBe(true);
    expect(await recordEngagement(click, path())).toBe(false);
    expect(await scoreOf('contact', 'c1')).toBeCloseTo(config.scoring.weights.click, 9);
    expect(await scoreOf('account', 'acc-of-c1')).toBeCloseTo(config.scoring.weights.click, 9);
    expect(await table.store.engagement.listEventsOfContact('c1')).toHaveLength(1);
    expect((await table.store.scores.getScore('contact', 'c1'))?.signals).toEqual({ click: expect.any(Number) });
  });

  it('records machine traffic without scoring it, and scales attendance by the share watched minus nothing for a no-show', async () => {
    expect(await recordEngagement(event('scan-1', 'click', 'c2', now, { machine: true }), path())).toBe(true);
    expect(await table.store.scores.getScore('contact', 'c2')).toBeUndefined();
    await recordEngagement(event('att-1', 'webinar-attended', 'c3', now, { detail: { watchShare: 0.5, watchMinutes: 30 } }), path());
    await recordEngagement(event('ns-1', 'webinar-no-show', 'c3', now), path());
    const { webinarAttended, webinarWatchMinute } = config.scoring.weights;
    expect(await scoreOf('contact', 'c3')).toBeCloseTo(webinarAttended * 0.5 + webinarWatchMinute * 30, 9);
    await recordEngagement(event('unsub-1', 'unsubscribe', 'c3', now), path());
    expect(await scoreOf('contact', 'c3')).toBeCloseTo(webinarAttended * 0.5 + webinarWatchMinute * 30 - config.scoring.penalties.unsubscribe, 9);
  });

  it('adds concurrent events exactly (each event one transaction, no read-modify-write)', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, index) => recordEngagement(event(`open-${index}`, 'open', 'c4', now), path())));
    expect(await scoreOf('contact', 'c4')).toBeCloseTo(20 * config.scoring.weights.open, 9);
    expect(await scoreOf('account', 'acc-of-c4')).toBeCloseTo(20 * config.scoring.weights.open, 9);
  });

  it('rebases a score once when a new era begins, and the score stays the decayed sum', async () => {
    const halfLifeMs = halfLifeOf(config.scoring);
    const first = now;
    await recordEngagement(event('era-1', 'click', 'c5', first), path());
    const before = (await table.store.scores.getScore('contact', 'c5'))!;
    now = new Date(first.getTime() + 2.5 * ERA_HALF_LIVES * halfLifeMs);
    await recordEngagement(event('era-2', 'click', 'c5', now), path());
    const after = (await table.store.scores.getScore('contact', 'c5'))!;
    expect(after.epoch).toBeGreaterThan(before.epoch);
    const expected = config.scoring.weights.click * (1 + 2 ** (-(now.getTime() - first.getTime()) / halfLifeMs));
    expect(await scoreOf('contact', 'c5')).toBeCloseTo(expected, 9);
    expect(after.scaledSum).toBeLessThan(2 ** 53);
  });

  it('rebases a score stored before epochs existed (stated against the fixed epoch)', async () => {
    const halfLifeMs = halfLifeOf(config.scoring);
    const old = new Date(SCORE_EPOCH + 10 * 86_400_000);
    const doc = DynamoDBDocumentClient.from(table.client);
    await doc.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'SCORE#CONTACT#c6', SK: 'SCORE', entity: 'score', scope: 'contact', id: 'c6', scaledSum: scaledIncrement(5, old, halfLifeMs, SCORE_EPOCH), signal_open: scaledIncrement(5, old, halfLifeMs, SCORE_EPOCH), updatedAt: old.toISOString() } }));
    await recordEngagement(event('legacy-1', 'open', 'c6', now), path());
    const expected = 5 * 2 ** (-(now.getTime() - old.getTime()) / halfLifeMs) + config.scoring.weights.open;
    expect(await scoreOf('contact', 'c6')).toBeCloseTo(expected, 9);
  });

  it('stores neither the event nor any score when a score epoch is stale: all or nothing', async () => {
    await recordEngagement(event('stale-0', 'click', 'c7', now), path());
    const stored = (await table.store.scores.getScore('contact', 'c7'))!;
    const write = await table.store.engagement.recordScoredEvent(event('stale-1', 'click', 'c7', now), [
      { scope: 'contact', id: 'c7', signal: 'click', scaled: 1, epoch: stored.epoch - 1 },
      { scope: 'account', id: 'acc-of-c7', signal: 'click', scaled: 1, epoch: stored.epoch },
    ]);
    expect(write).toEqual({ outcome: 'stale-epoch', staleScores: [{ scope: 'contact', id: 'c7', epoch: stored.epoch }] });
    expect((await table.store.engagement.listEventsOfContact('c7')).map((recorded) => recorded.eventId)).toEqual(['stale-0']);
    expect(await table.store.scores.getScore('contact', 'c7')).toEqual(stored);
    expect((await table.store.scores.getScore('account', 'acc-of-c7'))?.version).toBe(1);
  });
});
