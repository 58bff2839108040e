/**
 * What a benchmark is to the runner: a module with a name and an async `run()` that returns its
 * figures, a flat map from figure name (`import.rows_per_second`) to number.
 */

/** Figure name to value; names start with the bench's name and a dot. */
export type Figures = Record<string, number>;

/** The shape every module listed in `benches.ts` has (`export const name`, `export async function run`). */
export interface Bench {
  readonly name: string;
  run(): Promise<Figures>;
}

/** A bench returned a figure the results file cannot hold or would misattribute. */
export class InvalidFigureError extends Error {
  constructor(benchName: string, figure: string, why: string) {
    super(`bench '${benchName}': figure '${figure}' ${why}`);
    this.name = 'InvalidFigureError';
  }
}

/** Checks that every figure is a finite number named `<bench>.<something>`. */
export function checkFigures(benchName: string, figures: Figures): Figures {
  for (const [figure, value] of Object.entries(figures)) {
    if (!figure.startsWith(`${benchName}.`) || figure.length === benchName.length + 1) {
      throw new InvalidFigureError(benchName, figure, `must be named '${benchName}.<figure>'`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidFigureError(benchName, figure, `must be a finite number, got ${String(value)}`);
    }
  }
  return figures;
}
