/**
 * Each function bundles only what it uses: the functions that do not render stay under their
 * budget and carry no renderer (mjml, html-to-text, LiquidJS), built with exactly the options
 * EngineFunction deploys with (infra/bundling-options.ts). The Zoom webhook, which must answer Zoom
 * within 3 seconds, carries no store either. esbuild builds in memory, in a second or two.
 */
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ALL_FUNCTION_ENTRIES, engineEsbuildOptions, NON_RENDERING_BUNDLE_BUDGET_BYTES } from '../../infra/bundling-options.ts';
import { REPO_ROOT } from './synth-app.ts';

const RENDERER_PACKAGES = ['mjml', 'mjml-core', 'html-to-text', 'liquidjs', 'cheerio', 'undici', 'iconv-lite'];

interface Bundle {
  bytes: number;
  /** Packages bundled in. */
  packages: Set<string>;
  /** Modules left external and imported at run time (the AWS SDK the runtime provides). */
  externals: Set<string>;
  /** Repository files bundled in. */
  sources: Set<string>;
}

async function bundleOf(entry: string): Promise<Bundle> {
  const result = await build({ ...engineEsbuildOptions(join(REPO_ROOT, entry), join(REPO_ROOT, 'node_modules/.cache/bundle-size-test/index.mjs')), write: false, metafile: true });
  const output = result.outputFiles?.find((file) => file.path.endsWith('.mjs'));
  if (!output) throw new Error(`esbuild wrote no .mjs for ${entry}`);
  const metafile = result.metafile as Metafile;
  const inputs = Object.keys(metafile.inputs);
  const packages = new Set(inputs.map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1]).filter((name): name is string => name !== undefined));
  const externals = new Set(
    Object.values(metafile.inputs)
      .flatMap((input) => input.imports)
      .filter((imported) => imported.external)
      .map((imported) => imported.path),
  );
  return { bytes: output.contents.byteLength, packages, externals, sources: new Set(inputs.filter((input) => !input.includes('node_modules'))) };
}

const entries = Object.entries(ALL_FUNCTION_ENTRIES);

describe('function bundles', { timeout: 60_000 }, () => {
  it.each(entries.filter(([, fn]) => !fn.renders))('%s does not render: under the 1 MB budget minified, no renderer inside', async (_name, fn) => {
    const { bytes, packages } = await bundleOf(fn.entry);
    expect(bytes).toBeLessThan(NON_RENDERING_BUNDLE_BUDGET_BYTES);
    expect(RENDERER_PACKAGES.filter((name) => packages.has(name))).toEqual([]);
  });

  it('the sender renders: it carries mjml and LiquidJS', async () => {
    const { packages } = await bundleOf(ALL_FUNCTION_ENTRIES.sender.entry);
    expect(packages.has('mjml-core') || packages.has('mjml')).toBe(true);
    expect(packages.has('liquidjs')).toBe(true);
  });

  it('the Zoom webhook only verifies and enqueues: of the AWS SDK only SQS and Secrets Manager, no store, no config reader', async () => {
    const { externals, sources } = await bundleOf(ALL_FUNCTION_ENTRIES.zoomWebhook.entry);
    expect([...externals].filter((path) => path.startsWith('@aws-sdk/')).sort()).toEqual(['@aws-sdk/client-secrets-manager', '@aws-sdk/client-sqs']);
    expect([...sources].filter((path) => /adapters\/aws\/dynamo\/|lambdas\/runtime\/bundled-config/.test(path))).toEqual([]);
  });
});
