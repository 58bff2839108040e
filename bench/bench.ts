/**
 * What a benchmark is to the runner: a module with a name and an async `run()` that returns its
 * figures, a flat map from figure name (`import.rows_per_second`) to number.
 */

/** Figure name to value; names start with the bench's name and a dot. */
export type Figures = Record<string, number>;

/** The shape every module listed in `benches.ts` has (`export const name`, `export async function run`). */
export interface Bench {
  readonly name: string;
  /** Figure-name prefixes this bench owns when they differ from its name (issue-given names, e.g. `click.` for `tracking`). */
  readonly figurePrefixes?: readonly string[];
  run(): Promise<Figures>;
}

/** A bench returned a figure the results file cannot hold or would misattribute. */
export class InvalidFigureError extends Error {
  constructor(benchName: string, figure: string, why: string) {
    super(`bench '${benchName}': figure '${figure}' ${why}`);
    this.name = 'InvalidFigureError';
  }
}

/** Checks that every figure is a finite number named `<prefix>.<something>` (the prefix is the bench's name unless it declares others). */
export function checkFigures(benchName: string, figures: Figures, prefixes: readonly string[] = [benchName]): Figures {
  for (const [figure, value] of Object.entries(figures)) {
    if (!prefixes.some((prefix) => figure.startsWith(`${prefix}.`) && figure.length > prefix.length + 1)) {
      throw new InvalidFigureError(benchName, figure, `must be named '${prefixes.join("' or '")}.<figure>'`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidFigureError(benchName, figure, `must be a finite number, got ${String(value)}`);
    }
  }
  return figures;
}
