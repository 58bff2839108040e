/**
 * Runs the bad-input properties and keeps the totals the test prints and the bench reports:
 * cases tried (every input a property checked, shrinking included), 5xx answers (and handler
 * crashes, their equivalent), and each failed property with its counterexample. The checks every
 * case shares live here too: no 5xx, no write when the input was refused, and no personal data or
 * capability token in any log line written while it was handled.
 */
import fc from 'fast-check';
import type { FuzzWorld } from './fuzz-world.ts';
import { PII_DOMAIN, PII_NAME } from './hostile-input.ts';

export interface FuzzTotals {
  cases: number;
  /** HTTP 5xx answers, plus event handlers that crashed instead of refusing an input visibly. */
  fiveXx: number;
  casesByTarget: Record<string, number>;
  failures: string[];
}

export const emptyTotals = (): FuzzTotals => ({ cases: 0, fiveXx: 0, casesByTarget: {}, failures: [] });

/** One property: a target (route or handler), how many inputs, and the check of one input. */
export interface FuzzProperty<T> {
  target: string;
  numRuns: number;
  input: (world: FuzzWorld) => fc.Arbitrary<T>;
  check: (world: FuzzWorld, input: T, totals: FuzzTotals) => Promise<void>;
}

/** Ties a property's input type to its check (an array of properties holds several types). */
export const fuzzProperty = <T>(property: FuzzProperty<T>): FuzzProperty<unknown> => property as FuzzProperty<unknown>;

/** A property's verdict (its counterexample shortened: some inputs are megabytes). */
export async function runProperty(world: FuzzWorld, property: FuzzProperty<unknown>, totals: FuzzTotals, runsScale = 1, seed?: number): Promise<string | undefined> {
  const details = await fc.check(
    fc.asyncProperty(property.input(world), async (input) => {
      totals.cases += 1;
      totals.casesByTarget[property.target] = (totals.casesByTarget[property.target] ?? 0) + 1;
      world.logs.take();
      await property.check(world, input, totals);
    }),
    { numRuns: Math.max(1, Math.round(property.numRuns * runsScale)), ...(seed === undefined ? {} : { seed }) },
  );
  if (!details.failed) return undefined;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const failure = `${property.target}: ${error.slice(0, 1_500)}\n${(fc.defaultReportMessage(details) ?? 'failed').slice(0, 3_000)}`;
  totals.failures.push(failure);
  return failure;
}

/** Fails the case on a 5xx (counted first, so the totals show it). */
export function refuseServerError(totals: FuzzTotals, status: number, what: string): void {
  if (status < 500) return;
  totals.fiveXx += 1;
  throw new Error(`${what}: answered ${status}`);
}

/**
 * The logs of the case carry no planted address or name and none of `secrets` (capability tokens,
 * checked from 16 characters: a shorter "token" is found in any text; planted names unless `names`
 * is false), and, unless `mayWrite`,
 * nothing was written since `writesBefore`.
 */
export function expectCleanCase(world: FuzzWorld, what: string, options: { writesBefore: number; mayWrite: boolean; secrets?: readonly string[]; names?: boolean }): void {
  const logText = world.logs.take();
  const secrets = [...Object.values(world.tokens).filter((token) => token !== world.tokens.contactId), ...(options.secrets ?? [])].filter((secret) => secret.length >= 16);
  for (const needle of [`@${PII_DOMAIN}`, ...(options.names === false ? [] : [PII_NAME]), ...secrets]) {
    const at = logText.indexOf(needle);
    if (at >= 0) throw new Error(`${what}: a log line carries '${needle.slice(0, 40)}': ...${logText.slice(Math.max(0, at - 200), at + 200)}...`);
  }
  const writes = world.writes() - options.writesBefore;
  if (!options.mayWrite && writes !== 0) throw new Error(`${what}: refused, yet wrote ${writes} time(s)`);
}
