/**
 * Compiles one template version (templates/<id>/<locale>.mjml) into a CompiledTemplate, once:
 * MJML turns the MJML-with-Liquid source into HTML (Liquid placeholders pass through untouched),
 * then LiquidJS parses that HTML, the subject and the preheader. Rendering a recipient afterwards
 * is only a Liquid render (see render-email.ts): MJML costs milliseconds, Liquid microseconds.
 *
 * The front-matter preheader becomes the email's hidden preview text: an `<mj-preview>` is added
 * on the first line of the head, so MJML's line numbers still match the author's file.
 */
import mjml2html from 'mjml';
import type { Template } from 'liquidjs';
import type { Locale } from '../config/schema/common.ts';
import type { TemplateVersion } from '../config/template-source.ts';
import { createRenderingEngines, type RenderingEngines } from './rendering-engines.ts';
import { describeLiquidError, TemplateCompileError, type TemplateFailure, type TemplatePart } from './template-failure.ts';

export interface CompiledTemplate {
  readonly templateId: string;
  readonly locale: Locale;
  /** The source file, e.g. templates/monthly-newsletter/ja.mjml, for errors. */
  readonly file: string;
  /** The engines the parts below were parsed with; they must render them too. */
  readonly engines: RenderingEngines;
  readonly subject: Template[];
  readonly preheader?: Template[];
  /** The MJML output as parsed Liquid: HTML with per-recipient placeholders. */
  readonly body: Template[];
  /** The plain-text part as parsed Liquid (converted from the HTML once, at compile time). */
  readonly text: Template[];
}

/** The render-scope name of the rendered preheader inside the body. */
export const PREHEADER_VARIABLE = 'preheader';

interface MjmlValidationIssue {
  line: number;
  message: string;
  tagName: string;
}

/** Throws TemplateCompileError listing every problem found in the subject, preheader and body. */
export async function compileTemplate(version: TemplateVersion, engines: RenderingEngines = createRenderingEngines()): Promise<CompiledTemplate> {
  const failures: TemplateFailure[] = [];
  const parse = (part: TemplatePart, liquid: RenderingEngines['text'], source: string): Template[] | undefined => {
    try {
      return liquid.parse(source);
    } catch (error) {
      failures.push({ part, message: describeLiquidError(error) });
      return undefined;
    }
  };

  const subject = parse('subject', engines.text, version.subject);
  const preheader = version.preheader === undefined ? undefined : parse('preheader', engines.text, version.preheader);
  const html = await mjmlToHtml(version, failures);
  const body = html === undefined ? undefined : parse('body', engines.html, html);
  const text = html === undefined ? undefined : parse('body', engines.text, engines.plainTextTemplate(html));

  if (failures.length > 0 || !subject || !body || !text || (version.preheader !== undefined && !preheader)) {
    throw new TemplateCompileError(version.file, failures);
  }
  return {
    templateId: version.templateId,
    locale: version.locale,
    file: version.file,
    engines,
    subject,
    ...(preheader === undefined ? {} : { preheader }),
    body,
    text,
  };
}

async function mjmlToHtml(version: TemplateVersion, failures: TemplateFailure[]): Promise<string | undefined> {
  if (/<mj-include[\s>/]/.test(version.mjml)) {
    failures.push({ part: 'body', message: '<mj-include> is not supported: templates are compiled without file access, so put the content in the template itself' });
    return undefined;
  }
  let source = version.mjml;
  if (version.preheader !== undefined) {
    if (/<mj-preview[\s>]/.test(source)) {
      failures.push({ part: 'preheader', message: 'the template has both a preheader in its front matter and an <mj-preview>: keep one (the front matter preheader is preferred)' });
      return undefined;
    }
    source = withPreview(source, `{{ ${PREHEADER_VARIABLE} }}`);
  }
  try {
    const result = await mjml2html(source, { validationLevel: 'strict', keepComments: false });
    return result.html;
  } catch (error) {
    const issues = (error as { errors?: unknown }).errors;
    if (Array.isArray(issues) && issues.length > 0) {
      for (const issue of issues as MjmlValidationIssue[]) {
        failures.push({ part: 'body', message: `MJML: <${issue.tagName}>: ${issue.message} (line ${issue.line} after the front matter)` });
      }
    } else {
      failures.push({ part: 'body', message: `MJML could not compile the body: ${error instanceof Error ? error.message : String(error)}` });
    }
    return undefined;
  }
}

/** Adds `<mj-preview>` without adding a line, so MJML's line numbers match the file. */
function withPreview(mjml: string, preview: string): string {
  const tag = `<mj-preview>${preview}</mj-preview>`;
  const head = /<mj-head(\s[^>]*)?>/.exec(mjml);
  if (head) return mjml.slice(0, head.index + head[0].length) + tag + mjml.slice(head.index + head[0].length);
  const root = /<mjml(\s[^>]*)?>/.exec(mjml);
  if (!root) return mjml;
  return mjml.slice(0, root.index + root[0].length) + `<mj-head>${tag}</mj-head>` + mjml.slice(root.index + root[0].length);
}
