/**
 * Typed failures of a template, named by file and part (subject, preheader, body), with
 * messages a template author can act on. Liquid's own messages point at lines of the
 * MJML-generated HTML, which the author never sees, so those positions are dropped.
 */
import { LiquidError } from 'liquidjs';

export type TemplatePart = 'subject' | 'preheader' | 'body';

export interface TemplateFailure {
  part: TemplatePart;
  message: string;
}

/** The template cannot be compiled (MJML or Liquid syntax, unknown filter): fix the file. */
export class TemplateCompileError extends Error {
  constructor(
    readonly file: string,
    readonly failures: readonly TemplateFailure[],
  ) {
    super(`${file}: cannot compile: ${failures.map((failure) => `${failure.part}: ${failure.message}`).join('; ')}`);
    this.name = 'TemplateCompileError';
  }
}

/** The template compiled but could not be rendered for this context (e.g. an undefined variable). */
export class TemplateRenderError extends Error {
  constructor(
    readonly file: string,
    readonly failure: TemplateFailure,
  ) {
    super(`${file}: ${failure.part}: ${failure.message}`);
    this.name = 'TemplateRenderError';
  }
}

/** "undefined variable: contact.nickname, line:12, col:5" -> "undefined variable contact.nickname". */
export function describeLiquidError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(/, line:\d+, col:\d+$/, '');
  if (/^ENOENT: Failed to lookup /.test(message)) {
    return `${message.replace(/^ENOENT: Failed to lookup ("[^"]*").*$/, '$1')}: include, render and layout are not supported; templates are self-contained`;
  }
  if (error instanceof LiquidError && error.name === 'UndefinedVariableError') return message.replace(/^undefined variable: /, 'undefined variable ');
  return message;
}
