/**
 * Chart.js's browser build (UMD, minified), which the dashboard serves to the page. Locally it is
 * read from node_modules; a Lambda bundle carries a copy next to its handler (infra copies
 * `chartJsSourcePath()` there as CHART_JS_FILE). Read once, kept in memory.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const CHART_JS_FILE = 'chart.umd.min.js';

/** Where the installed chart.js keeps its browser build (the package exports no subpath for it). */
export function chartJsSourcePath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), CHART_JS_FILE);
}

/** A loader that reads the file at `path` the first time and answers from memory after. */
export function chartJsLoader(path: string): () => Promise<string> {
  let text: Promise<string> | undefined;
  return () => (text ??= readFile(path, 'utf8'));
}
