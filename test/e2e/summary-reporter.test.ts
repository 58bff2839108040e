/**
 * The closing summary line counts a test file that fails to load as failed: a run that exits 1
 * must not say "0 failed".
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/spawn-script.ts';

let fixtureDir: string;
beforeAll(async () => {
  fixtureDir = await mkdtemp(join(tmpdir(), 'nurture-reporter-'));
  const reporter = join(PROJECT_ROOT, 'test', 'summary-reporter.ts');
  await writeFile(join(fixtureDir, 'vitest.config.mjs'), `export default { test: { include: ['*.test.ts'], globals: true, reporters: [${JSON.stringify(reporter)}] } };\n`);
  await writeFile(join(fixtureDir, 'passes.test.ts'), "test('passes', () => { expect(1).toBe(1); });\n");
  await writeFile(join(fixtureDir, 'cannot-load.test.ts'), "import './no-such-module.ts';\ntest('never runs', () => undefined);\n");
});
afterAll(() => rm(fixtureDir, { recursive: true, force: true }));

describe('summary reporter', () => {
  it('counts a test file that fails to load as failed', async () => {
    const vitest = join(PROJECT_ROOT, 'node_modules', '.bin', 'vitest');
    const child = spawn(vitest, ['run', '--root', fixtureDir, '--config', join(fixtureDir, 'vitest.config.mjs')], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('tests: 1 passed, 1 failed (1 test file(s) failed outside their tests: loading or a hook), 0 skipped');
  }, 60_000);
});
