/**
 * Bench runner: `npm run bench` runs every bench in `benches.ts`, `npm run bench -- <name> ...`
 * the named ones. Prints each bench's figures and merges them, with `machine.cores`, into
 * `bench/results/latest.json`. Exits 2 on an unknown name, 1 when a bench fails (the figures of
 * the benches that finished are still written).
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { checkFigures, type Bench, type Figures } from './bench.ts';
import { BENCHES } from './benches.ts';
import { formatFigures } from './figure-table.ts';
import { mergeResults } from './results-file.ts';

const RESULTS_PATH = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const RESULTS_LABEL = 'bench/results/latest.json';

class UnknownBenchError extends Error {
  constructor(unknown: readonly string[], known: readonly string[]) {
    super(`unknown bench${unknown.length > 1 ? 'es' : ''}: ${unknown.join(', ')}. Known benches: ${known.join(', ')} (run one with \`npm run bench -- <name>\`, all with \`npm run bench\`)`);
    this.name = 'UnknownBenchError';
  }
}

function selectBenches(requested: readonly string[]): Bench[] {
  const names = BENCHES.map((bench) => bench.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`bench/benches.ts lists two benches named '${duplicate}': names must be unique`);
  if (requested.length === 0) return [...BENCHES];
  const unknown = requested.filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new UnknownBenchError(unknown, names);
  return BENCHES.filter((bench) => requested.includes(bench.name));
}

async function main(): Promise<number> {
  let selected: Bench[];
  try {
    selected = selectBenches(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UnknownBenchError)) throw error;
    console.error(error.message);
    return 2;
  }

  const figures: Figures = {};
  const failed: string[] = [];
  for (const bench of selected) {
    console.log(`\n== bench ${bench.name} ==`);
    const started = performance.now();
    try {
      const result = checkFigures(bench.name, await bench.run(), bench.figurePrefixes);
      const seconds = (performance.now() - started) / 1000;
      console.log(`\n${bench.name}: ${Object.keys(result).length} figures in ${seconds.toFixed(1)} s`);
      for (const line of formatFigures(result)) console.log(`  ${line}`);
      Object.assign(figures, result);
    } catch (error) {
      failed.push(bench.name);
      console.error(`\nbench ${bench.name} failed after ${((performance.now() - started) / 1000).toFixed(1)} s:`, error);
    }
  }

  if (Object.keys(figures).length > 0) {
    figures['machine.cores'] = cpus().length;
    await mergeResults(RESULTS_PATH, figures);
    console.log(`\nmerged ${Object.keys(figures).length} figures (machine.cores = ${figures['machine.cores']}) into ${RESULTS_LABEL}`);
  }
  if (failed.length > 0) {
    console.error(`failed: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
