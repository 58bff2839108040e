/**
 * The local runtime as a newcomer uses it: `npm start` comes up with demo data and prints its
 * URLs (and a dashboard login link), Ctrl-C leaves no Java process behind, a busy port gets a clear
 * message; `npm run import` reports bad lines and exits 1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isPortFree } from '../../local/ports.ts';
import { runScript, startScript } from '../support/spawn-script.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nurture-e2e-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('starts everything with demo data, serves the app and the SES mail list, and Ctrl-C stops it all', async () => {
    const [port, dynamodbPort, sesPort] = [await freePort(), await freePort(), await freePort()];
    const running = startScript('local/start.ts', ['--data-dir', dataDir, '--port', String(port), '--dynamodb-port', String(dynamodbPort), '--ses-port', String(sesPort)]);
    try {
      await running.waitFor('Ctrl-C stops everything', 240_000);
      expect(running.output()).toMatch(/accounts: 200 created/);
      expect(running.output()).toMatch(/contacts: 2000 created/);
      expect(running.output()).toContain(`http://127.0.0.1:${port}/`);
      expect(running.output()).toMatch(/dashboard\s+http:\/\/127\.0\.0\.1:\d+\/dashboard\/login\?token=/);
      expect(running.output()).toContain(`SES emulator mail list http://127.0.0.1:${sesPort}/`);
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ ok: true });
      expect((await fetch(`http://127.0.0.1:${sesPort}/`)).status).toBe(200);
    } finally {
      running.child.kill('SIGINT');
    }
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('stopped.');
    // DynamoDB Local (Java) is gone: its port is free again.
    expect(await isPortFree(dynamodbPort)).toBe(true);
    expect(await isPortFree(port)).toBe(true);
  }, 300_000);

  it('keeps the data on the next start instead of loading demo data again', async () => {
    const [port, dynamodbPort, sesPort] = [await freePort(), await freePort(), await freePort()];
    const running = startScript('local/start.ts', ['--data-dir', dataDir, '--port', String(port), '--dynamodb-port', String(dynamodbPort), '--ses-port', String(sesPort)]);
    try {
      await running.waitFor('Ctrl-C stops everything', 120_000);
      expect(running.output()).not.toContain('loading demo customers');
    } finally {
      running.child.kill('SIGINT');
    }
    expect(await running.exited).toBe(0);
  }, 180_000);

  it('refuses to start on a busy port, names it, and starts nothing', async () => {
    const blocker = createServer();
    const busyPort = await freePort();
    await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
    const dynamodbPort = await freePort();
    try {
      const result = await runScript('local/start.ts', ['--data-dir', dataDir, '--port', String(busyPort), '--dynamodb-port', String(dynamodbPort), '--ses-port', String(await freePort())]);
      expect(result.code).toBe(1);
      expect(result.output).toContain(`port ${busyPort} (engine HTTP app) is already in use`);
      expect(await isPortFree(dynamodbPort)).toBe(true);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('rejects a port that is not a number', async () => {
    const result = await runScript('local/start.ts', ['--port', 'eighty']);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/--port \/ ENGINE_PORT: expected a port number/);
  }, 60_000);
});

// npm run demo: test/e2e/dashboard.browser.test.ts runs it (with --serve) and checks its summary and dashboard.

describe('npm run import', () => {
  it('imports good rows, lists bad lines with reasons, exits 1; the same files again change nothing', async () => {
    const dynamodbPort = String(await freePort());
    const args = ['examples/customers/accounts-with-errors.csv', 'examples/customers/contacts-with-errors.csv', '--data-dir', join(dataDir, 'import'), '--dynamodb-port', dynamodbPort];
    const first = await runScript('scripts/import.ts', args);
    expect(first.code).toBe(1);
    expect(first.output).toContain('accounts: 2 created, 0 updated, 0 unchanged, 4 rejected');
    expect(first.output).toContain("rejected accounts-with-errors.csv line 3: tier: expected a tier (tier1, tier2, tier3), got 'tier4'");
    expect(first.output).toContain('11 row(s) rejected and not written; the other rows were imported.');
    const second = await runScript('scripts/import.ts', args);
    expect(second.output).toContain('accounts: 0 created, 0 updated, 2 unchanged, 4 rejected');
    expect(second.output).toContain('contacts: 0 created, 0 updated, 2 unchanged, 7 rejected');
  }, 120_000);

  it('refuses a file with a wrong header and writes nothing', async () => {
    const result = await runScript('scripts/import.ts', ['examples/customers/contacts-with-errors.csv', 'examples/customers/contacts-with-errors.csv', '--data-dir', join(dataDir, 'import2')]);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/import refused, nothing was written: contacts-with-errors.csv: missing column\(s\) account_id|unknown column/);
  }, 60_000);
});
