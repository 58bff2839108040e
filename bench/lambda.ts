/**
 * Bench `lambda`: what each engine function ships and how long its module takes to load, against
 * the same function built as it was with one shared composition root (every function bundled
 * mjml, because esbuild inlines the "lazy" `import()` of the renderer). Both sides are bundled in
 * the same run with the options EngineFunction uses (infra/bundling-options.ts, minified). The
 * baseline handlers are the committed ones (`git show HEAD:lambdas/...`, read-only), built over
 * today's core and adapters, so the difference is the composition alone.
 *
 * Cold init: a fresh `node` process per round imports the built bundle (the work Lambda's init
 * phase does before the first event), median of several rounds, the two sides alternating. The
 * environment is what the modules read at import (Powertools); nothing calls AWS. Also shown:
 * loading the config the two ways (YAML folders parsed and validated, as the shared root did on
 * each cold start, against the bundled JSON the functions read now), in this process.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { engineEsbuildOptions, FUNCTION_ENTRIES, NON_RENDERING_BUNDLE_BUDGET_BYTES } from '../infra/bundling-options.ts';
import { parseBundledConfig, serializeConfig, ALL_CONFIG_PARTS } from '../lambdas/runtime/bundled-config.ts';
import type { Figures } from './bench.ts';
import { median, round1, round3 } from './figure-math.ts';
import { formatNumber, formatTable } from './figure-table.ts';

export const name = 'lambda';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Under node_modules so the bundles resolve the external @aws-sdk/* from the repository's node_modules. */
const WORK_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'lambda-bench');
const INIT_ROUNDS = 7;
const CONFIG_ROUNDS = 20;

type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** The committed handler each function ran as before the split (the HTTP app was one function). */
const BASELINE_ENTRIES: Record<FunctionName, string> = {
  dispatcher: 'lambdas/dispatcher/handler.ts',
  sender: 'lambdas/sender/handler.ts',
  tracking: 'lambdas/http/handler.ts',
  ingest: 'lambdas/http/handler.ts',
  sesEvents: 'lambdas/ses-events/handler.ts',
};

/** What the modules read at import: Powertools' service and namespace. Lambda sets NODE_OPTIONS like this too. */
const IMPORT_ENVIRONMENT = {
  AWS_REGION: 'us-east-1',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'NurtureEngine/bench',
  NODE_OPTIONS: '--enable-source-maps',
} as const;

const run$ = promisify(execFile);

export class LambdaBenchError extends Error {
  constructor(message: string) {
    super(`bench lambda: ${message}`);
    this.name = 'LambdaBenchError';
  }
}

interface Built {
  file: string;
  bytes: number;
}

async function bundle(entry: string, outDir: string, plugins: Plugin[] = []): Promise<Built> {
  const file = join(outDir, 'index.mjs');
  await build({ ...engineEsbuildOptions(entry, file), plugins, nodePaths: [join(REPO_ROOT, 'node_modules')] });
  return { file, bytes: (await stat(file)).size };
}

/**
 * Copies the committed lambdas/ into `root` and lets their imports that leave lambdas/ (core,
 * adapters, http) resolve in the working tree, as if the files were still in place.
 */
async function checkOutBaseline(root: string): Promise<Plugin> {
  const { stdout } = await run$('git', ['ls-tree', '-r', '--name-only', 'HEAD', 'lambdas/'], { cwd: REPO_ROOT });
  const files = stdout.split('\n').filter((path) => path.endsWith('.ts'));
  if (!files.includes(BASELINE_ENTRIES.tracking)) throw new LambdaBenchError(`HEAD has no ${BASELINE_ENTRIES.tracking}: the baseline is the commit before the split`);
  for (const path of files) {
    const { stdout: text } = await run$('git', ['show', `HEAD:${path}`], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return {
    name: 'baseline-outside-lambdas',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path);
        const fromRoot = relative(root, target);
        if (fromRoot.startsWith('..') || isAbsolute(fromRoot) || fromRoot.startsWith('lambdas')) return undefined;
        return { path: join(REPO_ROOT, fromRoot) };
      });
    },
  };
}

/** One fresh process: milliseconds from just before the dynamic import to its completion. */
async function importMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const { stdout } = await run$(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...IMPORT_ENVIRONMENT } });
  const ms = Number(stdout.trim().split('\n').at(-1));
  if (!Number.isFinite(ms)) throw new LambdaBenchError(`importing ${file} printed no time: ${stdout}`);
  return ms;
}

function timedMedian(rounds: number, work: () => unknown): number {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function run(): Promise<Figures> {
  await rm(WORK_DIR, { recursive: true, force: true });
  const baselinePlugin = await checkOutBaseline(join(WORK_DIR, 'baseline-src'));
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];

  const now = new Map<FunctionName, Built>();
  const today = new Map<FunctionName, Built>();
  for (const fn of names) {
    now.set(fn, await bundle(join(REPO_ROOT, FUNCTION_ENTRIES[fn].entry), join(WORK_DIR, 'now', fn)));
    today.set(fn, await bundle(join(WORK_DIR, 'baseline-src', BASELINE_ENTRIES[fn]), join(WORK_DIR, 'today', fn), [baselinePlugin]));
  }

  const initNow = new Map<FunctionName, number[]>(names.map((fn) => [fn, []]));
  const initToday = new Map<FunctionName, number[]>(names.map((fn) => [fn, []]));
  // One warm-up each (disk cache), then alternating rounds so drift hits both sides alike.
  for (const fn of names) {
    await importMs((now.get(fn) as Built).file);
    await importMs((today.get(fn) as Built).file);
  }
  for (let round = 0; round < INIT_ROUNDS; round++) {
    for (const fn of names) {
      const order: Array<[Map<FunctionName, Built>, Map<FunctionName, number[]>]> = [
        [now, initNow],
        [today, initToday],
      ];
      if (round % 2 === 1) order.reverse();
      for (const [built, times] of order) times.get(fn)?.push(await importMs((built.get(fn) as Built).file));
    }
  }

  const config = await loadConfigOrThrow(defaultConfigLocation(REPO_ROOT));
  const json = serializeConfig(config, ALL_CONFIG_PARTS);
  const location = defaultConfigLocation(REPO_ROOT);
  const yamlTimes: number[] = [];
  for (let round = 0; round < CONFIG_ROUNDS; round++) {
    const started = performance.now();
    await loadConfigOrThrow(location);
    yamlTimes.push(performance.now() - started);
  }
  const jsonMs = timedMedian(CONFIG_ROUNDS, () => parseBundledConfig(json, ALL_CONFIG_PARTS));

  const kb = (bytes: number) => round1(bytes / 1024);
  const figures: Figures = {};
  const rows: string[][] = [];
  for (const fn of names) {
    const a = now.get(fn) as Built;
    const b = today.get(fn) as Built;
    const initA = median(initNow.get(fn) as number[]);
    const initB = median(initToday.get(fn) as number[]);
    figures[`lambda.${fn}.bundle_kb`] = kb(a.bytes);
    figures[`lambda.${fn}.bundle_kb_today`] = kb(b.bytes);
    figures[`lambda.${fn}.init_ms`] = round1(initA);
    figures[`lambda.${fn}.init_ms_today`] = round1(initB);
    rows.push([fn, FUNCTION_ENTRIES[fn].renders ? 'yes' : 'no', formatNumber(kb(a.bytes)), formatNumber(kb(b.bytes)), formatNumber(initA), formatNumber(initB)]);
  }
  console.log(formatTable(['function', 'renders', 'bundle KB', 'KB today', 'init ms', 'init ms today'], rows).join('\n'));

  const nonRendering = names.filter((fn) => !FUNCTION_ENTRIES[fn].renders);
  const maxNonRendering = Math.max(...nonRendering.map((fn) => (now.get(fn) as Built).bytes));
  const totalInit = (times: Map<FunctionName, number[]>) => names.reduce((sum, fn) => sum + median(times.get(fn) as number[]), 0);
  figures['lambda.max_bundle_kb_non_rendering'] = kb(maxNonRendering);
  figures['lambda.max_bundle_kb_non_rendering_today'] = kb(Math.max(...nonRendering.map((fn) => (today.get(fn) as Built).bytes)));
  figures['lambda.sender_bundle_kb'] = kb((now.get('sender') as Built).bytes);
  figures['lambda.max_init_ms'] = round1(Math.max(...names.map((fn) => median(initNow.get(fn) as number[]))));
  figures['lambda.max_init_ms_today'] = round1(Math.max(...names.map((fn) => median(initToday.get(fn) as number[]))));
  // All five functions' import time now over the same five as today.
  figures['lambda.init_ms_vs_today'] = round3(totalInit(initNow) / totalInit(initToday));
  figures['lambda.config_load_ms_yaml_today'] = round1(median(yamlTimes));
  figures['lambda.config_load_ms_json'] = round3(jsonMs);
  console.log(`\nconfig load, in this process: YAML folders ${formatNumber(median(yamlTimes))} ms, bundled JSON ${formatNumber(jsonMs)} ms`);
  if (maxNonRendering >= NON_RENDERING_BUNDLE_BUDGET_BYTES) {
    console.log(`\nover budget: a function that does not render is ${kb(maxNonRendering)} KB (budget ${kb(NON_RENDERING_BUNDLE_BUDGET_BYTES)} KB)`);
  }
  return figures;
}
