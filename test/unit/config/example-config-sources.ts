/**
 * The shipped example config (campaigns/*.yaml and templates/<id>/<locale>.mjml) read once
 * into memory, so a test can break it the way a person would (edit a line, delete a file,
 * copy a file) and hand the texts to the pure config builder without touching the disk.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEngineConfig, type ConfigResult } from '../../../core/config/engine-config.ts';
import type { ConfigProblem } from '../../../core/config/problems.ts';
import type { TemplateSourceFile } from '../../../core/config/template-source.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export class ExampleConfigSources {
  private constructor(
    /** file (e.g. campaigns/scoring.yaml) -> YAML text */
    readonly documents: Map<string, string>,
    /** file (e.g. templates/monthly-newsletter/ja.mjml) -> source */
    readonly templates: Map<string, TemplateSourceFile>,
  ) {}

  static read(): ExampleConfigSources {
    const documents = new Map<string, string>();
    for (const name of readdirSync(join(REPO_ROOT, 'campaigns')).sort()) {
      if (name.endsWith('.yaml')) documents.set(`campaigns/${name}`, readFileSync(join(REPO_ROOT, 'campaigns', name), 'utf8'));
    }
    const templates = new Map<string, TemplateSourceFile>();
    for (const templateId of readdirSync(join(REPO_ROOT, 'templates')).sort()) {
      for (const name of readdirSync(join(REPO_ROOT, 'templates', templateId)).sort()) {
        if (!name.endsWith('.mjml')) continue;
        const file = `templates/${templateId}/${name}`;
        templates.set(file, { file, templateId, locale: name.replace(/\.mjml$/, ''), text: readFileSync(join(REPO_ROOT, file), 'utf8') });
      }
    }
    return new ExampleConfigSources(documents, templates);
  }

  /** Replaces `from` (which must occur exactly once, so a changed example fails loudly) with `to`. */
  edit(file: string, from: string, to: string): this {
    const text = this.documents.get(file);
    if (text === undefined) throw new Error(`test setup: no document ${file}`);
    const occurrences = text.split(from).length - 1;
    if (occurrences !== 1) throw new Error(`test setup: expected '${from}' exactly once in ${file}, found ${occurrences}`);
    this.documents.set(file, text.replace(from, to));
    return this;
  }

  editTemplate(file: string, edit: (text: string) => string): this {
    const source = this.templates.get(file);
    if (!source) throw new Error(`test setup: no template ${file}`);
    this.templates.set(file, { ...source, text: edit(source.text) });
    return this;
  }

  /** Adds a document, e.g. a copy of an existing file under a new name. */
  add(file: string, text: string): this {
    this.documents.set(file, text);
    return this;
  }

  addTemplate(templateId: string, locale: string, text: string): this {
    const file = `templates/${templateId}/${locale}.mjml`;
    this.templates.set(file, { file, templateId, locale, text });
    return this;
  }

  remove(file: string): this {
    if (!this.documents.delete(file) && !this.templates.delete(file)) throw new Error(`test setup: no file ${file}`);
    return this;
  }

  text(file: string): string {
    const text = this.documents.get(file) ?? this.templates.get(file)?.text;
    if (text === undefined) throw new Error(`test setup: no file ${file}`);
    return text;
  }

  /** 1-based line of the only line of `file` containing `needle`: where a problem should point. */
  lineOf(file: string, needle: string): number {
    const lines = this.text(file).split('\n');
    const matches = lines.flatMap((line, index) => (line.includes(needle) ? [index + 1] : []));
    if (matches.length !== 1) throw new Error(`test setup: expected one line with '${needle}' in ${file}, found ${matches.length}`);
    return matches[0] as number;
  }

  build(): ConfigResult {
    return buildEngineConfig({
      configRoot: 'campaigns',
      templatesRoot: 'templates',
      documents: [...this.documents].map(([file, text]) => ({ file, text })),
      templates: [...this.templates.values()],
    });
  }
}

/** The problems of a build that must fail; fails the test if the config was accepted. */
export function problemsOf(result: ConfigResult): ConfigProblem[] {
  if (result.ok) throw new Error('expected the config to be rejected, but it was accepted');
  return result.problems;
}

/** "file: path" for each problem, sorted: compares the set of places reported. */
export function placesOf(problems: readonly ConfigProblem[]): string[] {
  return problems.map((problem) => `${problem.file}: ${problem.path}`).sort();
}
