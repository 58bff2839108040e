/**
 * Each function bundles only what it uses: the functions that do not render stay under their
 * budget and carry no renderer (mjml, html-to-text, LiquidJS), built with exactly the options
 * EngineFunction deploys with (infra/bundling-options.ts). esbuild builds in memory, in a second or two.
 */
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { engineEsbuildOptions, FUNCTION_ENTRIES, NON_RENDERING_BUNDLE_BUDGET_BYTES } from '../../infra/bundling-options.ts';
import { REPO_ROOT } from './synth-app.ts';

const RENDERER_PACKAGES = ['mjml', 'mjml-core', 'html-to-text', 'liquidjs', 'cheerio', 'undici', 'iconv-lite'];

async function bundleOf(entry: string): Promise<{ bytes: number; packages: Set<string> }> {
  const result = await build({ ...engineEsbuildOptions(join(REPO_ROOT, entry), join(REPO_ROOT, 'node_modules/.cache/bundle-size-test/index.mjs')), write: false, metafile: true });
  const output = result.outputFiles?.find((file) => file.path.endsWith('.mjs'));
  if (!output) throw new Error(`esbuild wrote no .mjs for ${entry}`);
  const packages = new Set(
    Object.keys((result.metafile as Metafile).inputs)
      .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  return { bytes: output.contents.byteLength, packages };
}

const entries = Object.entries(FUNCTION_ENTRIES);

describe('function bundles', { timeout: 60_000 }, () => {
  it.each(entries.filter(([, fn]) => !fn.renders))('%s does not render: under the 1 MB budget minified, no renderer inside', async (_name, fn) => {
    const { bytes, packages } = await bundleOf(fn.entry);
    expect(bytes).toBeLessThan(NON_RENDERING_BUNDLE_BUDGET_BYTES);
    expect(RENDERER_PACKAGES.filter((name) => packages.has(name))).toEqual([]);
  });

  it('the sender renders: it carries mjml and LiquidJS', async () => {
    const { packages } = await bundleOf(FUNCTION_ENTRIES.sender.entry);
    expect(packages.has('mjml-core') || packages.has('mjml')).toBe(true);
    expect(packages.has('liquidjs')).toBe(true);
  });
});
