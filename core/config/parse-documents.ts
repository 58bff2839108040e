/**
 * YAML text to typed config documents. Every problem keeps its file, field path and line,
 * and parsing goes on past the first problem so one run of validate reports them all.
 */
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { configDocumentSchema, type ConfigDocument } from './schema/index.ts';
import { formatPath, type ConfigProblem } from './problems.ts';

export interface ConfigSourceFile {
  /** Path shown to people, e.g. campaigns/monthly-newsletter.yaml */
  file: string;
  text: string;
}

export interface ParsedDocument {
  file: string;
  document: ConfigDocument;
  /** Line of a field path in the source, for problems found after parsing. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export interface DocumentParseResult {
  parsed?: ParsedDocument;
  /** The `kind:` the file declares, even when the rest of it is invalid. */
  declaredKind?: string;
  problems: ConfigProblem[];
}

export function parseConfigDocument(source: ConfigSourceFile): DocumentParseResult {
  const lineCounter = new LineCounter();
  const yamlDocument = parseDocument(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (yamlDocument.errors.length > 0) {
    return {
      problems: yamlDocument.errors.map((error) => ({
        file: source.file,
        path: '',
        message: `not valid YAML: ${error.message.split('\n')[0]}`,
        line: lineCounter.linePos(error.pos[0]).line,
      })),
    };
  }
  const lineOf = (path: readonly PropertyKey[]) => lineOfPath(yamlDocument, lineCounter, path);
  if (!isMap(yamlDocument.contents)) {
    return { problems: [{ file: source.file, path: '', message: 'expected a YAML mapping with a kind: field at the top level' }] };
  }
  const raw: unknown = yamlDocument.toJS();
  const declaredKind = typeof (raw as { kind?: unknown }).kind === 'string' ? (raw as { kind: string }).kind : undefined;
  const result = configDocumentSchema.safeParse(raw);
  if (!result.success) {
    return {
      ...(declaredKind === undefined ? {} : { declaredKind }),
      problems: result.error.issues.map((issue) => {
        const path = [...issue.path];
        const missing = issue.code !== 'unrecognized_keys' && path.length > 0 && yamlDocument.getIn(path as unknown[], true) === undefined;
        const line = lineOf(missing ? path.slice(0, -1) : path);
        return {
          file: source.file,
          path: formatPath(path),
          message: missing ? 'is required' : describeIssue(issue),
          ...(line === undefined ? {} : { line }),
        };
      }),
    };
  }
  return { parsed: { file: source.file, document: result.data, lineOf }, declaredKind, problems: [] };
}

function describeIssue(issue: { code: string; message: string; keys?: readonly string[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `'${key}'`).join(', ')} (check the spelling)`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

function lineOfPath(document: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}
