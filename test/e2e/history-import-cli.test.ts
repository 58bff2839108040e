/**
 * The history import as a user runs it: `npm run import -- events <file>` and
 * `npm run import -- pinpoint-endpoints <export>` against a DynamoDB Local table (DYNAMODB_ENDPOINT +
 * TABLE_NAME). Bad lines are printed with their line number and field, exit code 1; a second run
 * records nothing; a file that cannot be read or a wrong command line is exit code 2.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { runScript } from '../support/spawn-script.ts';

const FIXTURES = 'test/fixtures/history';
let table: TestTable;
let dir: string;
let env: NodeJS.ProcessEnv;

/** The fixture with its times moved to the last weeks, so the engine's real clock takes them (not too old, not future). */
async function recentHistory(): Promise<string> {
  const day = 86_400_000;
  const shift = Math.floor((Date.now() - Date.parse('2026-12-01T00:00:00Z')) / day) * day;
  const text = await readFile(join(FIXTURES, 'history.jsonl'), 'utf8');
  const moved = text.split('\r\n').map((line) => {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return line;
    }
    for (const field of ['time', 'sentAt']) {
      const at = value[field];
      if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && at.includes('T')) value[field] = new Date(Date.parse(at) + shift).toISOString();
    }
    return JSON.stringify(value);
  });
  const path = join(dir, 'history.jsonl');
  await writeFile(path, moved.join('\r\n'));
  return path;
}

beforeAll(async () => {
  table = await createTestTable('history-cli');
  dir = await mkdtemp(join(tmpdir(), 'nurture-history-cli-'));
  env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
});
afterAll(async () => {
  await table?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run import -- events | pinpoint-endpoints', () => {
  it('imports customers, then history with its bad lines named; the second run records nothing', async () => {
    const customers = await runScript('scripts/import.ts', [join(FIXTURES, 'accounts.csv'), join(FIXTURES, 'contacts.csv')], env);
    expect(customers.code, customers.output).toBe(0);
    expect(customers.output).toContain('contacts: 12 created');

    const history = await recentHistory();
    const first = await runScript('scripts/import.ts', ['events', history, '--progress-every', '0'], env);
    expect(first.code, first.output).toBe(1);
    expect(first.output).toMatch(/history: 295 lines read, \d{3} recorded \(\d+ machine\), 1 duplicates, 7 refused, 2 unknown contacts/);
    expect(first.output).toMatch(/refused history\.jsonl line \d+: time: expected an ISO-8601 time with an offset/);
    expect(first.output).toMatch(/refused history\.jsonl line \d+: figures\.seats_usd: unknown metric 'seats_usd'/);
    expect(first.output).toMatch(/unknown contacts \(not written; import them first\) at history\.jsonl line\(s\) \d+, \d+/);
    expect(first.output).toContain('2 address(es) suppressed');

    const second = await runScript('scripts/import.ts', ['events', history, '--progress-every', '0'], env);
    expect(second.output).toMatch(/history: 295 lines read, 0 recorded \(0 machine\), \d{3} duplicates, 7 refused/);
  }, 240_000);

  it('imports a gzipped Pinpoint endpoint export: email endpoints, opt-outs suppressed, what cannot be placed rejected', async () => {
    const result = await runScript('scripts/import.ts', ['pinpoint-endpoints', join(FIXTURES, 'pinpoint-endpoints.json.gz')], env);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain('contacts: 3 created, 0 updated, 0 unchanged, 3 rejected');
    expect(result.output).toContain("rejected pinpoint-endpoints.json.gz line 8: User.UserAttributes.AccountId: account 'no-such-account' is neither in this import nor already stored");
    expect(result.output).toContain('skipped 1 endpoint(s): ChannelType SMS');
    expect(result.output).toContain('rejected pinpoint-endpoints.json.gz line 6: User.UserAttributes.AccountId: required: the account id');
    expect(result.output).toContain('2 opted-out address(es) suppressed');
  }, 120_000);

  it('refuses a file it cannot read and a wrong command line, writing nothing', async () => {
    const missing = await runScript('scripts/import.ts', ['events', join(dir, 'no-such-file.jsonl')], env);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('no-such-file.jsonl: cannot read it: no such file');
    const noFile = await runScript('scripts/import.ts', ['events'], env);
    expect(noFile.code).toBe(2);
    expect(noFile.output).toContain('npm run import -- events <history.jsonl[.gz]>');
  }, 120_000);
});
