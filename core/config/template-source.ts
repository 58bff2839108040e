/**
 * Email template sources as the team writes them: templates/<id>/<locale>.mjml, each starting
 * with a YAML front matter block for the subject line and preheader:
 *
 *   ---
 *   subject: "{{ account.name }} monthly update"
 *   preheader: "What is new this month"
 *   ---
 *   <mjml>...</mjml>
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { localeSchema, type Locale } from './schema/common.ts';
import { formatPath, type ConfigProblem } from './problems.ts';

export interface TemplateSourceFile {
  /** Path shown to people, e.g. templates/monthly-newsletter/ja.mjml */
  file: string;
  templateId: string;
  locale: string;
  text: string;
}

export interface TemplateVersion {
  templateId: string;
  locale: Locale;
  file: string;
  subject: string;
  preheader?: string;
  /** MJML with Liquid placeholders, front matter removed. */
  mjml: string;
  /** The file line the MJML starts on (after the front matter), so errors in it name file lines. */
  bodyStartLine?: number;
}

const frontMatterSchema = z.strictObject({
  subject: z.string().min(1, { error: 'subject must not be empty' }),
  preheader: z.string().optional(),
});

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

export function parseTemplateSource(source: TemplateSourceFile): { version?: TemplateVersion; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const locale = localeSchema.safeParse(source.locale);
  if (!locale.success) {
    problems.push({ file: source.file, path: '', message: `file name must be <locale>.mjml with a known locale: ${locale.error.issues[0]?.message}` });
  }
  const match = FRONT_MATTER.exec(source.text);
  if (!match) {
    problems.push({ file: source.file, path: '', message: 'missing front matter: start the file with ---, a subject: line, and ---' });
    return { problems };
  }
  let frontMatter: unknown;
  try {
    frontMatter = parseYaml(match[1] ?? '');
  } catch (error) {
    problems.push({ file: source.file, path: '', message: `front matter is not valid YAML: ${(error as Error).message}` });
    return { problems };
  }
  const parsed = frontMatterSchema.safeParse(frontMatter ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ file: source.file, path: formatPath(issue.path), message: issue.message });
    }
  }
  const mjml = source.text.slice(match[0].length);
  if (!/<mjml[\s>]/.test(mjml)) {
    problems.push({ file: source.file, path: '', message: 'the body after the front matter must be an <mjml> document' });
  }
  if (problems.length > 0 || !parsed.success || !locale.success) return { problems };
  return {
    version: {
      templateId: source.templateId,
      locale: locale.data,
      file: source.file,
      subject: parsed.data.subject,
      ...(parsed.data.preheader === undefined ? {} : { preheader: parsed.data.preheader }),
      mjml,
      bodyStartLine: (match[0].match(/\n/g)?.length ?? 0) + 1,
    },
    problems,
  };
}
