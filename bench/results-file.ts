/**
 * `bench/results/latest.json`: one flat object, figure name to number. A run merges its figures
 * over what is there, so figures from benches not run this time are kept. Written to a temporary
 * file and renamed, so a reader never sees half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Figures } from './bench.ts';

const figuresSchema = z.record(z.string(), z.number());

export class ResultsFileError extends Error {
  constructor(path: string, why: string) {
    super(`${path}: ${why}; fix or delete the file and run the bench again`);
    this.name = 'ResultsFileError';
  }
}

export async function readResults(path: string): Promise<Figures> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(path, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = figuresSchema.safeParse(json);
  if (!parsed.success) throw new ResultsFileError(path, 'expected one flat object of figure name to number');
  return parsed.data;
}

/** Merges `figures` over the file's figures and writes the result atomically; returns the merged figures. */
export async function mergeResults(path: string, figures: Figures): Promise<Figures> {
  const merged: Figures = { ...(await readResults(path)), ...figures };
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
  await rename(temporary, path);
  return sorted;
}
