/**
 * `npm run erase -- <email|contact-id>` against a DynamoDB Local table (DYNAMODB_ENDPOINT +
 * TABLE_NAME): it prints the counts per item kind and never the address or name, exit 0; the
 * address is still suppressed afterwards; a second run finds nothing left (exit 0); a bad argument
 * and an unknown person exit 2 and change nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestTable, scanTable, type TestTable } from '../support/dynamo.ts';
import { importPerson } from '../support/personal-data.ts';
import { runScript } from '../support/spawn-script.ts';

let table: TestTable;
let env: NodeJS.ProcessEnv;
const clock = { now: () => new Date('2026-12-02T03:00:00.000Z') };
const ADDRESS = 'cli.person@example.com';

beforeAll(async () => {
  table = await createTestTable('erase-cli');
  env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
  await importPerson(table.store, clock, { contactId: 'con-cli', accountId: 'acc-cli', email: ADDRESS, firstName: 'Clitandre', lastName: 'Person' });
});
afterAll(() => table.drop());

describe('npm run erase', () => {
  it('refuses a bad argument or an unknown person with exit 2, changing nothing', async () => {
    const before = await scanTable(table);
    const bad = await runScript('scripts/erase.ts', ['not an id'], env);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('expected an email address or a contact id');
    expect((await runScript('scripts/erase.ts', [], env)).code).toBe(2);
    const unknown = await runScript('scripts/erase.ts', ['nobody@example.net'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('nothing was changed');
    expect(await scanTable(table)).toEqual(before);
  });

  it('erases, prints counts without the personal data, and a second run finds nothing left', async () => {
    const first = await runScript('scripts/erase.ts', [ADDRESS], env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('erased the person with that address: contacts 1, emailLookUps 1, suppressionsCreated 1');
    expect(first.output.toLowerCase()).not.toContain(ADDRESS);
    expect(first.output).not.toContain('Clitandre');
    expect(JSON.stringify(await scanTable(table))).not.toMatch(/cli\.person@|Clitandre/i);
    expect((await table.store.suppressions.suppressedAmong([ADDRESS])).has(ADDRESS)).toBe(true);

    const second = await runScript('scripts/erase.ts', [ADDRESS], env);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('nothing left to remove');
  });
});
