/**
 * How every engine function is bundled, in one place: EngineFunction hands these to NodejsFunction
 * (local esbuild), and the bundle-size test and `npm run bench -- lambda` build with exactly the
 * same options through esbuild's API, so what they measure is what deploys. No CDK import here.
 */
import type { BuildOptions } from 'esbuild';

/**
 * Some dependencies (mjml and its helpers) are CommonJS and call `require` at run time;
 * an ESM bundle has no `require`, so the bundle defines one.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * @aws-sdk/*: the Node.js runtime provides SDK v3 (the default, restated because this list
 * replaces it). typescript: cosmiconfig (mjml -> htmlnano) requires it only to read a .ts config
 * file, which the bundle never has; bundled it is 3.5 MB of a 4.5 MB bundle.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', 'typescript'] as const;

export const MAIN_FIELDS = ['module', 'main'] as const;

/** NodejsFunction's esbuild target for the nodejs24.x runtime. */
export const ESBUILD_TARGET = 'node24';

/** The esbuild build options NodejsFunction ends up using (bundle, ESM, minified, external source map). */
export function engineEsbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'esm',
    mainFields: [...MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...EXTERNAL_MODULES],
    logLevel: 'silent',
  };
}

/**
 * The engine functions that existed when each got its own composition root, with their handler and
 * whether they render email (the only kind allowed the renderer): bench/lambda.ts compares each with
 * its handler before the split. `ALL_FUNCTION_ENTRIES` has every function.
 */
export const FUNCTION_ENTRIES = {
  dispatcher: { entry: 'lambdas/dispatcher/handler.ts', renders: false },
  sender: { entry: 'lambdas/sender/handler.ts', renders: true },
  tracking: { entry: 'lambdas/tracking/handler.ts', renders: false },
  ingest: { entry: 'lambdas/ingest/handler.ts', renders: false },
  sesEvents: { entry: 'lambdas/ses-events/handler.ts', renders: false },
} as const;

/** Every engine function's handler: the bundle-size test checks each. */
export const ALL_FUNCTION_ENTRIES = {
  ...FUNCTION_ENTRIES,
  zoomWebhook: { entry: 'lambdas/zoom-webhook/handler.ts', renders: false },
  webinarEvents: { entry: 'lambdas/webinar-events/handler.ts', renders: false },
  usageEvents: { entry: 'lambdas/usage-events/handler.ts', renders: false },
  dashboard: { entry: 'lambdas/dashboard/handler.ts', renders: false },
  kpiCounters: { entry: 'lambdas/kpi-stream/handler.ts', renders: false },
} as const;

/**
 * Minified bundle budget of a function that does not render: under 1 MB keeps its cold start
 * to module parsing that is a fraction of the renderer's (mjml alone is about 3 MB bundled).
 */
export const NON_RENDERING_BUNDLE_BUDGET_BYTES = 1_000_000;
