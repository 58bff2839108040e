/**
 * The command-line tools find the engine `npm start` runs, on whatever ports it runs: import,
 * audience and preview get no port flag and must use the engine's (read from its engine.json);
 * a busy port that is not the engine's is refused; the pause switch shows on the engine's home page;
 * SIGTERM stops everything, Java included.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAsZoom } from '../../core/webinars/zoom-webhook-signature.ts';
import { isProcessAlive } from '../../local/engine-file.ts';
import { freePort, isPortFree } from '../../local/ports.ts';
import { runScript, startScript, type Running } from '../support/spawn-script.ts';

let dataDir: string;
let running: Running | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nurture-e2e-tools-'));
});
afterAll(async () => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('command-line tools against a running engine on non-default ports', () => {
  it('import, audience and preview find the engine through its engine file; a foreign port is refused; SIGTERM stops it all', async () => {
    const [port, dynamodbPort, sesPort] = [await freePort(), await freePort(), await freePort()];
    running = startScript('local/start.ts', ['--data-dir', dataDir, '--port', String(port), '--dynamodb-port', String(dynamodbPort), '--ses-port', String(sesPort)]);
    await running.waitFor('Ctrl-C stops everything', 240_000);
    const engineFile = JSON.parse(await readFile(join(dataDir, 'engine.json'), 'utf8')) as { pid: number; dynamodbPid: number; dynamodbPort: number; enginePort: number };
    expect(engineFile).toMatchObject({ dynamodbPort, enginePort: port });
    expect(isProcessAlive(engineFile.dynamodbPid)).toBe(true);
    // No port flag anywhere below: only the data folder, as DATA_DIR would give it.
    const env = { DATA_DIR: dataDir, DYNAMODB_PORT: '', ENGINE_PORT: '' };

    const imported = await runScript('scripts/import.ts', ['examples/customers/accounts-with-errors.csv', 'examples/customers/contacts-with-errors.csv'], env);
    expect(imported.output).toContain('accounts: 2 created, 0 updated, 0 unchanged, 4 rejected');
    expect(imported.code).toBe(1);

    const audience = await runScript('scripts/audience.ts', ['monthly-newsletter', '--sample', '2'], env);
    expect(audience.code, audience.output).toBe(0);
    expect(audience.output).toMatch(/monthly-newsletter \(.*\) at .*: [1-9]\d* contact\(s\) in the audience/);

    const previewDir = join(dataDir, 'preview');
    const preview = await runScript('scripts/preview.ts', ['monthly-newsletter', 'con-00001', '--out', previewDir], env);
    expect(preview.code, preview.output).toBe(0);
    const [html] = (await readdir(previewDir)).filter((name) => name.endsWith('.html'));
    // The links point at the engine's HTTP port, which only the engine file told preview.
    expect(await readFile(join(previewDir, html as string), 'utf8')).toContain(`http://127.0.0.1:${port}/`);

    // The pause switch finds the engine the same way, and the engine's home page shows its state at once.
    const home = async () => (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(await home()).toContain('Sending: active');
    const paused = await runScript('scripts/pause.ts', ['pause', '--reason', 'e2e check', '--by', 'ops-e2e'], env);
    expect(paused.code, paused.output).toBe(0);
    expect(await home()).toMatch(/Sending: paused.*all sending since .* by ops-e2e: e2e check/s);
    const resumed = await runScript('scripts/pause.ts', ['resume'], env);
    expect(resumed.output).toContain('resumed all sending');
    expect(await home()).toContain('Sending: active');

    // Webinars: a Zoom attendee report imported twice (the second stores nothing new), the questions
    // registrants answered, the KPIs; and the engine's Zoom webhook checks signatures.
    const report = ['dashboards-101', 'tokyo-dec-10', 'test/fixtures/webinars/zoom-attendee-report-2025.csv', '--zone', 'America/New_York'];
    const firstImport = await runScript('scripts/webinar.ts', ['import', ...report], env);
    expect(firstImport.code, firstImport.output).toBe(0);
    expect(firstImport.output).toContain('zoom-attendee-2025 layout, times without an offset read in America/New_York');
    const secondImport = await runScript('scripts/webinar.ts', ['import', ...report], env);
    expect(secondImport.output).toMatch(/ 0 new registration\(s\)/);
    const questions = await runScript('scripts/webinar.ts', ['questions', 'dashboards-101', '--format', 'json'], env);
    expect(questions.code, questions.output).toBe(0);
    const kpis = await runScript('scripts/webinar.ts', ['report', 'dashboards-101', '--session', 'tokyo-dec-10'], env);
    expect(kpis.output).toMatch(/registered \d+, attended \d+/);
    const wrongSession = await runScript('scripts/webinar.ts', ['import', 'dashboards-101', 'online-en-dec-11', 'test/fixtures/webinars/zoom-attendee-report-2025.csv'], env);
    expect(wrongSession.code).toBe(2);
    expect(wrongSession.output).toContain('nothing imported');
    const zoomSecret = (await readFile(join(dataDir, 'zoom-webhook-secret'), 'utf8')).trim();
    const raw = JSON.stringify({ event: 'endpoint.url_validation', event_ts: Date.now(), payload: { plainToken: 'e2e' } });
    const signed = signAsZoom(raw, zoomSecret, new Date());
    const webhook = (signature: string) => fetch(`http://127.0.0.1:${port}/webhooks/zoom`, { method: 'POST', body: raw, headers: { 'x-zm-request-timestamp': signed.timestamp, 'x-zm-signature': signature } });
    expect((await webhook(signed.signature)).status).toBe(200);
    expect((await webhook('v0=0000')).status).toBe(401);

    // A port that answers but is not the engine's DynamoDB Local: nothing is written to it.
    const foreign = createServer((socket) => socket.end());
    const foreignPort = await freePort();
    await new Promise<void>((resolve) => foreign.listen(foreignPort, '127.0.0.1', resolve));
    try {
      const refused = await runScript('scripts/audience.ts', ['monthly-newsletter', '--dynamodb-port', String(foreignPort)], env);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(`has its DynamoDB Local on port ${dynamodbPort}, not ${foreignPort}`);
      const elsewhere = await runScript('scripts/audience.ts', ['monthly-newsletter', '--dynamodb-port', String(foreignPort), '--data-dir', join(dataDir, 'no-engine-here')], { DYNAMODB_PORT: '' });
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.output).toContain(`port ${foreignPort} answers, but no engine is running from`);
    } finally {
      foreign.close();
    }

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('stopped.');
    expect(isProcessAlive(engineFile.dynamodbPid)).toBe(false);
    expect(await isPortFree(dynamodbPort)).toBe(true);
    expect(existsSync(join(dataDir, 'engine.json'))).toBe(false);
  }, 420_000);

  it('reports every busy port at once', async () => {
    const blockers = [createServer(), createServer()];
    const [busyEngine, busySes] = [await freePort(), await freePort()];
    await new Promise<void>((resolve) => (blockers[0] as ReturnType<typeof createServer>).listen(busyEngine, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => (blockers[1] as ReturnType<typeof createServer>).listen(busySes, '127.0.0.1', resolve));
    try {
      const result = await runScript('local/start.ts', ['--data-dir', join(dataDir, 'busy'), '--port', String(busyEngine), '--ses-port', String(busySes), '--dynamodb-port', String(await freePort())]);
      expect(result.code).toBe(1);
      expect(result.output).toContain(`port ${busyEngine} (engine HTTP app) is already in use`);
      expect(result.output).toContain(`port ${busySes} (SES emulator) is already in use`);
    } finally {
      for (const blocker of blockers) blocker.close();
    }
  }, 60_000);
});
