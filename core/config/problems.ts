/**
 * A config problem names the file, the field path and what is wrong, in the one format
 * `npm run validate`, `cdk synth` and the local runtime all print:
 *   campaigns/newsletter.yaml: schedule.cron: invalid cron '61 * * * *': ... (line 9)
 */

export interface ConfigProblem {
  file: string;
  /** Dotted field path with [index] for list items, e.g. steps[1].wait; empty for the whole file. */
  path: string;
  message: string;
  line?: number;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.path === '' ? '(file)' : problem.path;
  const line = problem.line === undefined ? '' : ` (line ${problem.line})`;
  return `${problem.file}: ${where}: ${problem.message}${line}`;
}

/** Thrown where a bad config must stop everything (CDK synth, local start, Lambda cold start). */
export class InvalidConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`config has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}
