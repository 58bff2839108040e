/**
 * Every log line written while the bad-input suite runs: what goes through `console`, straight to
 * process.stdout / process.stderr (Powertools Logger writes there through its own Console), and the
 * `log` callbacks and loggers handed to routes and handlers. The suite takes the lines of each case
 * (`take()`) to check that none carries personal data or a capability token.
 */

type Writer = typeof process.stdout.write;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export class LogCapture {
  private readonly lines: string[] = [];
  private restore: (() => void) | undefined;

  /** A structured `log` callback (routes' and use cases' deps). */
  readonly sink = (entry: Record<string, unknown>): void => void this.lines.push(JSON.stringify(entry));

  /** A Powertools-shaped logger (the handlers' `logger` dep). */
  readonly logger = Object.fromEntries(
    ['debug', 'info', 'warn', 'error'].map((level) => [level, (message: string, ...extra: unknown[]) => void this.lines.push(JSON.stringify({ level, message, extra }))]),
  ) as unknown as { debug(message: string, ...extra: unknown[]): void; info(message: string, ...extra: unknown[]): void; warn(message: string, ...extra: unknown[]): void; error(message: string, ...extra: unknown[]): void };

  /** Starts taking console, stdout and stderr output (kept here, not printed) until `stop()`. */
  start(): void {
    if (this.restore) return;
    const saved = { stdout: process.stdout.write, stderr: process.stderr.write, console: CONSOLE_METHODS.map((method) => [method, console[method]] as const) };
    const take = ((chunk: unknown, ...rest: unknown[]) => {
      this.lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Writer;
    process.stdout.write = take;
    process.stderr.write = take;
    for (const method of CONSOLE_METHODS) console[method] = (...parts: unknown[]) => void this.lines.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '));
    this.restore = () => {
      process.stdout.write = saved.stdout;
      process.stderr.write = saved.stderr;
      for (const [method, original] of saved.console) console[method] = original as never;
    };
  }

  stop(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** The lines written since the last `take()`, as one text; they are dropped here. */
  take(): string {
    return this.lines.splice(0, this.lines.length).join('\n');
  }
}
