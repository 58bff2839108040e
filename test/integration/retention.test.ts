/**
 * Retention is what docs/data-model.md says it is: items of every kind are written through the real
 * paths against DynamoDB Local, and each item of a kind the retention table marks **TTL** carries
 * `expiresAt` about 400 days after what it records, while no item of a kept kind carries it. Every
 * kind found in the table must have its row, so a new kind cannot go undocumented.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../adapters/aws/dynamo/table-design.ts';
import { RAW_EVENT_RETENTION_DAYS } from '../../core/tracking/engagement-event.ts';
import { createTestTable, scanTable, type TestTable } from '../support/dynamo.ts';
import { seedPersonEverywhere } from '../support/personal-data.ts';
import { openConfig, REPO_ROOT } from '../support/sending-fixtures.ts';

let table: TestTable;
const clock = { now: () => new Date('2026-12-02T03:00:00.000Z') };

beforeAll(async () => {
  table = await createTestTable('retention', { kpiStream: true });
});
afterAll(() => table.drop());

/** The retention table of docs/data-model.md: each documented kind, and whether it expires. */
async function documentedRetention(): Promise<Map<string, boolean>> {
  const doc = await readFile(join(REPO_ROOT, 'docs', 'data-model.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Retention and erasure'), doc.indexOf('\n## ', doc.indexOf('## Retention and erasure') + 1));
  const kinds = new Map<string, boolean>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `'))) {
    const [kindCell = '', , retention = ''] = row.split('|').slice(1);
    for (const [, kind] of kindCell.matchAll(/`([a-z-]+)`/g)) kinds.set(kind as string, (kinds.get(kind as string) ?? false) || retention.includes('**TTL**'));
  }
  return kinds;
}

describe('retention per item kind', () => {
  it('gives every item of an expiring kind its TTL, and none of a kept kind', async () => {
    const { config } = await openConfig();
    await seedPersonEverywhere(table.store, config, clock, { contactId: 'con-retention', accountId: 'acc-retention' });
    const at = clock.now().toISOString();
    await table.store.sends.recordSkips([{ campaignId: 'monthly-newsletter', runId: 'run-1', contactId: 'con-retention', accountId: 'acc-retention', reason: 'frequency-cap', skippedAt: at }]);
    await table.store.engagement.recordUnplacedSesEvent({ eventId: 'ses:m-1:bounce', type: 'bounce', occurredAt: at, recipientHash: '0123456789ab', detail: {} });
    // The stream's consumer writes the markers and its batch records.
    await table.countKpis();

    const documented = await documentedRetention();
    const items = await scanTable(table);
    const found = new Set(items.map((item) => String(item.entity)));
    expect([...found].filter((kind) => !documented.has(kind)), 'kinds without a row in the retention table').toEqual([]);
    const expiring = [...documented].filter(([, expires]) => expires).map(([kind]) => kind);
    expect(expiring.sort()).toEqual(['attendance-mark', 'engagement-event', 'kpi-batch', 'kpi-first', 'send', 'skipped-send', 'unplaced-ses-event', 'usage-record']);
    // Every expiring kind is written by this test, so each one's writer is checked.
    expect(expiring.filter((kind) => !found.has(kind))).toEqual([]);

    const seeded = clock.now().getTime() / 1000;
    for (const item of items) {
      const expiresAt = item[TABLE_KEYS.ttlAttribute];
      if (item.entity === 'kpi-batch') {
        // A batch record is only needed while the stream may hand its batch again (24 hours): 2 days, from when it was written.
        expect(expiresAt).toBeGreaterThan(Date.now() / 1000 + 86_400);
        expect(expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 2 * 86_400);
      } else if (documented.get(String(item.entity))) {
        expect(expiresAt, `${String(item.entity)} ${String(item.PK)}`).toBeGreaterThanOrEqual(seeded + (RAW_EVENT_RETENTION_DAYS - 1) * 86_400);
        // Attendance marks are dated by the session (days after the seed), the rest by the seed.
        expect(expiresAt, `${String(item.entity)} ${String(item.PK)}`).toBeLessThanOrEqual(seeded + (RAW_EVENT_RETENTION_DAYS + 10) * 86_400);
      } else {
        expect(expiresAt, `${String(item.entity)} ${String(item.PK)} is kept`).toBeUndefined();
      }
    }
  });
});
