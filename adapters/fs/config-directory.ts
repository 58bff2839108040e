/**
 * Reads the team's config from disk: every *.yaml / *.yml under the config folder and every
 * templates/<id>/<locale>.mjml, then hands the texts to the pure config builder.
 * Paths in problems are relative to the project root so they can be pasted into an editor.
 */
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { buildEngineConfig, type ConfigResult, type EngineConfig } from '../../core/config/engine-config.ts';
import { InvalidConfigError } from '../../core/config/problems.ts';
import type { ConfigSourceFile } from '../../core/config/parse-documents.ts';
import type { TemplateSourceFile } from '../../core/config/template-source.ts';

export interface ConfigLocation {
  /** Folder of YAML config documents (default: campaigns). */
  configDir: string;
  /** Folder of email templates (default: templates). */
  templatesDir: string;
  /** Problems name files relative to this folder. */
  rootDir: string;
}

export function defaultConfigLocation(rootDir: string): ConfigLocation {
  return { configDir: join(rootDir, 'campaigns'), templatesDir: join(rootDir, 'templates'), rootDir };
}

export async function loadConfigDirectory(location: ConfigLocation): Promise<ConfigResult> {
  const shown = (path: string) => {
    const fromRoot = relative(location.rootDir, path);
    // Outside the project (e.g. --config /tmp/x) an absolute path is clearer than ../../tmp/x.
    return fromRoot.startsWith('..') || isAbsolute(fromRoot) ? path : fromRoot.split(sep).join('/') || '.';
  };
  const documents: ConfigSourceFile[] = [];
  for (const path of await listFiles(location.configDir, (name) => /\.ya?ml$/.test(name))) {
    documents.push({ file: shown(path), text: await readFile(path, 'utf8') });
  }
  const templates: TemplateSourceFile[] = [];
  for (const path of await listFiles(location.templatesDir, (name) => name.endsWith('.mjml'))) {
    const parts = relative(location.templatesDir, path).split(sep);
    if (parts.length !== 2) continue;
    const [templateId, fileName] = parts as [string, string];
    templates.push({ file: shown(path), templateId, locale: fileName.replace(/\.mjml$/, ''), text: await readFile(path, 'utf8') });
  }
  return buildEngineConfig({ configRoot: shown(location.configDir), templatesRoot: shown(location.templatesDir), documents, templates });
}

/** For composition roots: the config, or an InvalidConfigError listing every problem. */
export async function loadConfigOrThrow(location: ConfigLocation): Promise<EngineConfig> {
  const result = await loadConfigDirectory(location);
  if (!result.ok) throw new InvalidConfigError(result.problems);
  return result.config;
}

async function listFiles(dir: string, wanted: (name: string) => boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() && wanted(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
