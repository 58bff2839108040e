/**
 * Shared by the infra tests: the shipped config, app context for fast or faithful synths,
 * and reading cdk-nag's findings from the validation report it contributes to.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { afterAll } from 'vitest';
import { defaultConfigLocation, loadConfigOrThrow } from '../../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuiltApp } from '../../infra/build-app.ts';
import type { Resource } from './template-reading.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * An App built without an `outdir` synthesizes into a new `cdk.out*` folder in the temp folder
 * (aws-cdk-lib's FileSystem.mkdtemp) and nothing removes it. CDK_OUTDIR, read when an App is
 * built, sends them into one folder per test file instead, removed after the file's tests.
 * (Not TMPDIR: aws-cdk-lib caches the temp folder for the life of the worker process, which
 * outlives the file.) With CDK_OUTDIR set, an App synthesizes itself again when the process exits
 * (autoSynth), after this folder is gone: apps built here pass `autoSynth: false`.
 */
const scratchOutdir = mkdtempSync(join(tmpdir(), 'nurture-infra-cdk-out-'));
const previousOutdir = process.env.CDK_OUTDIR;
process.env.CDK_OUTDIR = scratchOutdir;
afterAll(() => {
  if (previousOutdir === undefined) delete process.env.CDK_OUTDIR;
  else process.env.CDK_OUTDIR = previousOutdir;
  rmSync(scratchOutdir, { recursive: true, force: true });
});

/**
 * `inmemory` makes a failed validation throw with the full report, whatever NODE_ENV is.
 * In `process` mode CDK would only print and set `process.exitCode = 1`, which would fail
 * the whole vitest run instead of the one test.
 */
export const IN_MEMORY = { '@aws-cdk/core:appMode': 'inmemory' } as const;

/**
 * No stack is bundled: NodejsFunction keeps the project folder as a placeholder asset, so a
 * synth costs about a second instead of two esbuild runs. Templates and cdk-nag are unaffected.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] } as const;

/** The config the repository ships, loaded the way `cdk synth` loads it. */
export function loadShippedConfig(): Promise<EngineConfig> {
  return loadConfigOrThrow(defaultConfigLocation(REPO_ROOT));
}

export function makeOutdir(): string {
  return mkdtempSync(join(tmpdir(), 'nurture-infra-'));
}

export function removeOutdir(outdir: string): void {
  rmSync(outdir, { recursive: true, force: true });
}

/** One synth of the shipped config's dev app, with cdk-nag, and the stateless stack's template read back. */
export interface StatelessSynth {
  config: EngineConfig;
  /** The synth's folder: remove it after the file's tests (`removeOutdir`). */
  outdir: string;
  built: BuiltApp;
  nag: NagOutcome;
  template: Template;
  resources: Record<string, Resource>;
}

/**
 * The shipped config's dev app synthesized with cdk-nag into a fresh folder, unbundled unless
 * `bundle` (every function through esbuild: the one faithful synth, a few seconds per function).
 * The templates are written before cdk-nag runs, so they are read even when it fails.
 */
export async function synthStatelessWithNag(options: { bundle?: boolean } = {}): Promise<StatelessSynth> {
  const config = await loadShippedConfig();
  const outdir = makeOutdir();
  const built = buildApp({ config, stage: 'dev', appProps: { autoSynth: false, outdir, context: { ...IN_MEMORY, ...(options.bundle ? {} : SKIP_BUNDLING) } } });
  const nag = synthWithNag(built.app, outdir);
  const json = JSON.parse(readFileSync(join(outdir, `${built.stateless.stackName}.template.json`), 'utf8')) as { Resources: Record<string, Resource> };
  return { config, outdir, built, nag, template: Template.fromJSON(json), resources: json.Resources };
}

export interface NagFinding {
  readonly ruleName: string;
  readonly severity: string;
  readonly constructPaths: string[];
}

export interface NagOutcome {
  /** What `app.synth()` threw, if anything (the gate `cdk synth` relies on). */
  readonly error: Error | undefined;
  /** Every unacknowledged violation in the validation report, errors and warnings alike. */
  readonly findings: NagFinding[];
}

interface ValidationReportJson {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{
      ruleName: string;
      severity: string;
      violatingConstructs: Array<{ constructPath: string }>;
    }>;
  }>;
}

/**
 * Synthesizes an app built with an `outdir` and reads the validation report cdk-nag 3
 * contributes to (it emits no Annotations, so the report is the source of truth). The
 * templates are written before validation runs, so they can be read even when nag fails.
 */
export function synthWithNag(app: App, outdir: string): NagOutcome {
  let error: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  }
  // The report file only exists when at least one validation plugin ran.
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReportJson;
  const findings = report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({
      ruleName: v.ruleName,
      severity: v.severity,
      constructPaths: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
  return { error, findings };
}
