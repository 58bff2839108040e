/**
 * `npm run validate` as a person runs it: on a broken copy of the config it prints every problem
 * as `file: path: message`, exits 1 and changes nothing on disk; on the shipped config it exits 0.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runValidate(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/validate.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under `dir` with its exact bytes, by path relative to `dir`. */
function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path), readFileSync(path));
    }
  }
  return files;
}

function replaceOnce(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  if (text.split(from).length !== 2) throw new Error(`test setup: expected '${from}' once in ${path}`);
  writeFileSync(path, text.replace(from, to));
}

describe('npm run validate', () => {
  let workDir: string;
  let configDir: string;
  let templatesDir: string;

  beforeAll(() => {
    workDir = realpathSync(mkdtempSync(join(tmpdir(), 'validate-cli-')));
    configDir = join(workDir, 'campaigns');
    templatesDir = join(workDir, 'templates');
    cpSync(join(REPO_ROOT, 'campaigns'), configDir, { recursive: true });
    cpSync(join(REPO_ROOT, 'templates'), templatesDir, { recursive: true });
    replaceOnce(join(configDir, 'monthly-newsletter.yaml'), 'cron: "0 10 2 * *"', 'cron: "0 10 2 * MON"');
    replaceOnce(join(configDir, 'analytics-launch.yaml'), 'template: analytics-launch', 'template: analytics-lanch');
    replaceOnce(join(configDir, 'scoring.yaml'), 'click: 3', 'click: -3');
    replaceOnce(join(configDir, 'webinar-policy.yaml'), 'delay: 2h', 'delay: 2 hours');
    rmSync(join(templatesDir, 'adoption-tips', 'ja.mjml'));
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('prints every problem as `file: path: message`, exits 1, and leaves the files byte-identical', async () => {
    const before = snapshot(workDir);
    const run = await runValidate(['--config', configDir, '--templates', templatesDir]);

    expect(run.code, run.stderr).toBe(1);
    const problemLines = run.stderr.split('\n').filter((line) => line.startsWith(`${workDir}/`));
    const expected = [
      [`${configDir}/monthly-newsletter.yaml`, 'schedule.cron', "invalid cron '0 10 2 * MON': restrict day-of-month or day-of-week, not both"],
      [`${configDir}/analytics-launch.yaml`, 'template', "unknown template 'analytics-lanch'"],
      [`${configDir}/scoring.yaml`, 'weights.click', 'weights must be 0 or more, got -3'],
      [`${configDir}/webinar-policy.yaml`, 'followUps.delay', "expected a duration like 30m, 2h, 1d or 1w, got '2 hours'"],
      [`${configDir}/adoption-nurture.yaml`, 'steps[1].template', "template 'adoption-tips' has no ja version"],
    ];
    expect(problemLines).toHaveLength(expected.length);
    for (const [file, path, message] of expected) {
      const line = problemLines.find((printed) => printed.startsWith(`${file}: ${path}: `));
      expect(line, `${file}: ${path}`).toBeDefined();
      expect(line).toContain(message);
      expect(line).toMatch(/ \(line \d+\)$/);
    }
    expect(run.stderr).toContain(`${expected.length} problem(s) found; nothing was changed.`);
    expect(run.stdout).not.toContain('config OK');

    const after = snapshot(workDir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [path, bytes] of before) expect(after.get(path)?.equals(bytes), path).toBe(true);
  }, 60_000);

  it('exits 0 and says config OK on the shipped config', async () => {
    const run = await runValidate([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^config OK: \d+ campaign\(s\), \d+ sequence\(s\), \d+ webinar policy\(ies\), .* template\(s\) in \d+ locale version\(s\)$/m);
  }, 60_000);
});
