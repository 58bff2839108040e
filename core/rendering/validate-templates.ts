/**
 * `npm run validate`'s render check: every email the config can send is compiled and rendered,
 * in every locale its message lists, against the sample recipient (with the webinar data that
 * exists when that email goes out). An MJML error, a Liquid syntax error, an unknown filter or
 * a variable the recipient data does not have becomes a ConfigProblem on the template file,
 * naming the config that uses it: the mistake is found before a send, not in an inbox.
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { ConfigProblem } from '../config/problems.ts';
import { listMessageTemplates } from './message-templates.ts';
import { renderEmail } from './render-email.ts';
import { sampleRenderContext } from './sample-render-context.ts';
import { TemplateCompiler } from './template-compiler.ts';
import { TemplateCompileError, TemplateRenderError, type TemplateFailure } from './template-failure.ts';

export async function validateTemplatesRender(config: EngineConfig, compiler = new TemplateCompiler(config.templates)): Promise<ConfigProblem[]> {
  const found = new ProblemList();
  for (const use of listMessageTemplates(config)) {
    for (const locale of use.locales) {
      const version = config.templates.get(use.templateId)?.get(locale);
      if (!version) {
        found.add({ file: use.file, path: use.path, message: `template '${use.templateId}' has no ${locale} version, but ${locale} is in locales` });
        continue;
      }
      try {
        const compiled = await compiler.compile(use.templateId, locale);
        renderEmail(compiled, sampleRenderContext(locale, use.webinar));
      } catch (error) {
        const failures = templateFailures(error);
        for (const failure of failures) found.add({ file: version.file, path: failure.part, message: failure.message }, use.file);
      }
    }
  }
  return found.problems();
}

function templateFailures(error: unknown): readonly TemplateFailure[] {
  if (error instanceof TemplateCompileError) return error.failures;
  if (error instanceof TemplateRenderError) return [error.failure];
  throw error;
}

/** One problem per template file, part and message, listing every config file that uses it. */
class ProblemList {
  private readonly entries = new Map<string, { problem: ConfigProblem; usedBy: string[] }>();

  add(problem: ConfigProblem, usedBy?: string): void {
    const key = `${problem.file}\n${problem.path}\n${problem.message}`;
    const entry = this.entries.get(key) ?? { problem, usedBy: [] };
    if (usedBy !== undefined && !entry.usedBy.includes(usedBy)) entry.usedBy.push(usedBy);
    this.entries.set(key, entry);
  }

  /** Sorted by file and part, so the output reads file by file. */
  problems(): ConfigProblem[] {
    return [...this.entries.values()]
      .map(({ problem, usedBy }) => (usedBy.length === 0 ? problem : { ...problem, message: `${problem.message} (used by ${usedBy.sort().join(', ')})` }))
      .sort((a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path));
  }
}
