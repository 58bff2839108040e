/**
 * Compiles one template version (templates/<id>/<locale>.mjml) into a CompiledTemplate, once:
 * MJML turns the MJML-with-Liquid source into HTML, then LiquidJS parses that HTML, the subject
 * and the preheader. Rendering a recipient afterwards is only a Liquid render plus an HTML-to-text
 * conversion (see render-email.ts): MJML costs milliseconds, the rest a fraction of one.
 *
 * Before MJML runs, the source is checked where the author can act on it, each problem with its
 * line: elements nest properly (MJML repairs mismatched tags silently), Liquid syntax, `| raw` on
 * customer data. Liquid control flow between structural elements is protected through the
 * compile (liquid-in-mjml.ts), and afterwards every Liquid tag of the source must still be in
 * the HTML: a tag MJML dropped would change who sees what, so it fails the compile.
 *
 * After those checks, each link target of the HTML is wrapped in `{% track %}` (see
 * core/tracking/prepared-links.ts), so click tracking records the recipient's links while
 * rendering instead of scanning every recipient's HTML for them. A template whose links cannot
 * be found before rendering keeps its HTML as is and is tracked by scanning (`linkTracking`).
 *
 * The front-matter preheader becomes the email's hidden preview text: an `<mj-preview>` is added
 * on the first line of the head, so line numbers still match the author's file.
 */
import mjml2html from 'mjml';
import type { Template } from 'liquidjs';
import type { Locale } from '../config/schema/common.ts';
import type { TemplateVersion } from '../config/template-source.ts';
import { markTrackedHrefs, TRACK_TAG } from '../tracking/prepared-links.ts';
import { liquidTagsOf, lostLiquidTags, protectControlFlow } from './liquid-in-mjml.ts';
import { mjmlStructureProblems } from './mjml-structure.ts';
import { rawCustomerData } from './raw-customer-data.ts';
import { createRenderingEngines, type RenderingEngines } from './rendering-engines.ts';
import { describeLiquidError, liquidErrorLine, TemplateCompileError, type TemplateFailure, type TemplatePart } from './template-failure.ts';

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
  /**
   * How click tracking finds the links: 'prepared' when the body's link targets are wrapped in
   * `{% track %}` (a render can record them), 'scan' when they could not be found before
   * rendering and the rendered HTML is scanned.
   */
  readonly linkTracking: 'prepared' | 'scan';
}

/**
 * A version as compileTemplate reads it. `bodyStartLine` (the file line the MJML starts on, after
 * the front matter) turns MJML line numbers into file line numbers; without it a problem's line
 * is given as "line N after the front matter".
 */
export type CompilableVersion = TemplateVersion & { readonly bodyStartLine?: number };

const RESERVED_TAG = new RegExp(`^\\{%-?\\s*(?:end)?${TRACK_TAG}\\b`);

/** The render-scope name of the rendered preheader inside the body. */
export const PREHEADER_VARIABLE = 'preheader';

interface MjmlValidationIssue {
  line: number;
  message: string;
  tagName: string;
}

/** Throws TemplateCompileError listing every problem found in the subject, preheader and body. */
export async function compileTemplate(version: CompilableVersion, engines: RenderingEngines = createRenderingEngines()): Promise<CompiledTemplate> {
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
  const html = await compileBody(version, engines, failures);
  const prepared = html === undefined ? undefined : parsePrepared(html, engines);
  const body = prepared ?? (html === undefined ? undefined : parse('body', engines.html, html));

  if (failures.length > 0 || !subject || !body || (version.preheader !== undefined && !preheader)) {
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
    linkTracking: prepared === undefined ? 'scan' : 'prepared',
  };
}

/**
 * The body with its link targets wrapped in `{% track %}`, parsed; undefined when they cannot be
 * (see markTrackedHrefs), or when wrapping broke the Liquid (a link target that opens a tag
 * another attribute closes): the unwrapped HTML is then parsed, and its errors, if any, reported.
 */
function parsePrepared(html: string, engines: RenderingEngines): Template[] | undefined {
  const marked = markTrackedHrefs(html);
  if (marked === undefined) return undefined;
  try {
    return engines.html.parse(marked);
  } catch {
    return undefined;
  }
}

/** The compiled HTML (Liquid still in it), or undefined with the reasons added to `failures`. */
async function compileBody(version: CompilableVersion, engines: RenderingEngines, failures: TemplateFailure[]): Promise<string | undefined> {
  const bodyFailure = (message: string, mjmlLine?: number): TemplateFailure => {
    if (mjmlLine === undefined) return { part: 'body', message };
    if (version.bodyStartLine === undefined) return { part: 'body', message: `${message} (line ${mjmlLine} after the front matter)` };
    return { part: 'body', message, line: version.bodyStartLine - 1 + mjmlLine };
  };
  const problemsBefore = failures.length;

  if (/<mj-include[\s>/]/.test(version.mjml)) {
    failures.push(bodyFailure('<mj-include> is not supported: templates are compiled without file access, so put the content in the template itself'));
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

  for (const tag of liquidTagsOf(source)) {
    if (RESERVED_TAG.test(tag.text)) failures.push(bodyFailure(`${tag.text}: \`${TRACK_TAG}\` is reserved: the compile puts it around links itself for click tracking`, tag.line));
  }
  for (const problem of mjmlStructureProblems(source)) failures.push(bodyFailure(`MJML: ${problem.message}`, problem.line));
  try {
    engines.html.parse(source);
  } catch (error) {
    failures.push(bodyFailure(describeLiquidError(error), liquidErrorLine(error)));
  }
  for (const found of rawCustomerData(source)) {
    failures.push(bodyFailure(`${found.tag}: \`raw\` on customer data would let imported text inject HTML; remove \`| raw\` (output is escaped for you)`, found.line));
  }
  if (failures.length > problemsBefore) return undefined;

  const protectedSource = protectControlFlow(source);
  let html: string;
  try {
    html = (await mjml2html(protectedSource.mjml, { validationLevel: 'strict', keepComments: false })).html;
  } catch (error) {
    const issues = (error as { errors?: unknown }).errors;
    if (Array.isArray(issues) && issues.length > 0) {
      for (const issue of issues as MjmlValidationIssue[]) failures.push(bodyFailure(`MJML: <${issue.tagName}>: ${issue.message}`, issue.line));
    } else {
      failures.push(bodyFailure(`MJML could not compile the body: ${error instanceof Error ? error.message : String(error)}`));
    }
    return undefined;
  }

  for (const tag of lostLiquidTags(source, html, protectedSource.exposed)) {
    failures.push(
      bodyFailure(
        `${tag.text} is lost in the MJML compile (MJML drops text outside text elements, comments and the head): ` +
          'put output inside an <mj-text>, <mj-button> or <mj-raw>, and control flow between sections, columns or in the body',
        tag.line,
      ),
    );
  }
  return failures.length > problemsBefore ? undefined : html;
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
