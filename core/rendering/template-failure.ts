/**
 * Typed failures of a template, named by file, part and, where known, line, with messages a
 * template author can act on. Liquid's own positions point into the MJML-generated HTML, which
 * the author never sees, so those are dropped; positions in the author's source are kept.
 */
import { LiquidError } from 'liquidjs';

/**
 * Which part failed: `body` for the template source (MJML, Liquid syntax), `body (html)` and
 * `body (text)` for the rendered HTML and plain-text parts of the email.
 */
export type TemplatePart = 'subject' | 'preheader' | 'body' | 'body (html)' | 'body (text)' | 'body (legal)';

export interface TemplateFailure {
  part: TemplatePart;
  message: string;
  /** 1-based line in the template file (front matter included), when known. */
  line?: number;
}

const describeFailure = (failure: TemplateFailure) => `${failure.part}: ${failure.message}${failure.line === undefined ? '' : ` (line ${failure.line})`}`;

/** The template cannot be compiled (MJML or Liquid syntax, unknown filter): fix the file. */
export class TemplateCompileError extends Error {
  constructor(
    readonly file: string,
    readonly failures: readonly TemplateFailure[],
  ) {
    super(`${file}: cannot compile: ${failures.map(describeFailure).join('; ')}`);
    this.name = 'TemplateCompileError';
  }
}

/** The template compiled but could not be rendered for this context (e.g. an undefined variable). */
export class TemplateRenderError extends Error {
  constructor(
    readonly file: string,
    readonly failure: TemplateFailure,
  ) {
    super(`${file}: ${describeFailure(failure)}`);
    this.name = 'TemplateRenderError';
  }
}

/** The 1-based line Liquid gives for an error in the text it parsed, if any. */
export function liquidErrorLine(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const found = /, line:(\d+), col:\d+$/.exec(error.message);
  return found?.[1] === undefined ? undefined : Number(found[1]);
}

/** "undefined variable: contact.nickname, line:12, col:5" -> "undefined variable contact.nickname". */
export function describeLiquidError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(/, line:\d+, col:\d+$/, '');
  if (/^ENOENT: Failed to lookup /.test(message)) {
    return `${message.replace(/^ENOENT: Failed to lookup ("[^"]*").*$/, '$1')}: include, render and layout are not supported; templates are self-contained`;
  }
  if (/template render limit exceeded/.test(message)) {
    return 'rendering took too long (render time limit): a loop runs too often; bound it with `limit:` or loop over real data';
  }
  if (/memory alloc limit exceeded/.test(message)) {
    return 'rendering needs too much memory (memory limit): a range or loop is too large, e.g. (1..100000000); bound it with `limit:`';
  }
  if (/parse length limit exceeded/.test(message)) return 'the template is too long to parse (parse length limit): split it or remove unused content';
  if (error instanceof LiquidError && error.name === 'UndefinedVariableError') return message.replace(/^undefined variable: /, 'undefined variable ');
  return message;
}
