/**
 * YAML text to typed config documents. Every problem keeps its file, field path and line,
 * and parsing goes on past the first problem so one run of validate reports them all.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
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

/** A file that is a YAML mapping, valid or not: cross-file checks read references from it leniently. */
export interface RawDocument {
  file: string;
  raw: Record<string, unknown>;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export interface DocumentParseResult {
  parsed?: ParsedDocument;
  raw?: RawDocument;
  /** The `kind:` the file declares, even when the rest of it is invalid. */
  declaredKind?: string;
  problems: ConfigProblem[];
}

const KIND_LINE = /^kind:\s*['"]?([\w-]+)/m;

export function parseConfigDocument(source: ConfigSourceFile): DocumentParseResult {
  const lineCounter = new LineCounter();
  const yamlDocument = parseDocument(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (yamlDocument.errors.length > 0) {
    // One stray bracket can cascade into dozens of errors; the first is the one to fix.
    const [first] = yamlDocument.errors;
    const more = yamlDocument.errors.length - 1;
    const declaredKind = KIND_LINE.exec(source.text)?.[1];
    return {
      ...(declaredKind === undefined ? {} : { declaredKind }),
      problems: first
        ? [
            {
              file: source.file,
              path: '',
              message: `not valid YAML: ${first.message.split('\n')[0]}${more > 0 ? ` (and ${more} more YAML error(s) after it)` : ''}`,
              line: lineCounter.linePos(first.pos[0]).line,
            },
          ]
        : [],
    };
  }
  const lineOf = (path: readonly PropertyKey[]) => lineOfPath(yamlDocument, lineCounter, path);
  if (!isMap(yamlDocument.contents)) {
    return { problems: [{ file: source.file, path: '', message: 'expected a YAML mapping with a kind: field at the top level' }] };
  }
  const raw = yamlDocument.toJS() as Record<string, unknown>;
  const rawDocument: RawDocument = { file: source.file, raw, lineOf };
  const declaredKind = typeof raw.kind === 'string' ? raw.kind : undefined;
  const result = configDocumentSchema.safeParse(raw);
  if (!result.success) {
    const problems: ConfigProblem[] = [];
    for (const issue of result.error.issues) {
      const path = [...issue.path];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const line = keyLine(yamlDocument, lineCounter, path, key) ?? lineOf(path);
          problems.push({ file: source.file, path: formatPath([...path, key]), message: `unknown field '${key}' (check the spelling)`, ...(line === undefined ? {} : { line }) });
        }
        continue;
      }
      const missing = path.length > 0 && yamlDocument.getIn(path as unknown[], true) === undefined;
      const line = lineOf(missing ? path.slice(0, -1) : path);
      problems.push({
        file: source.file,
        path: formatPath(path),
        message: missing ? 'is required' : describeIssue(issue),
        ...(line === undefined ? {} : { line }),
      });
    }
    return { raw: rawDocument, ...(declaredKind === undefined ? {} : { declaredKind }), problems };
  }
  return { parsed: { file: source.file, document: result.data, lineOf }, raw: rawDocument, declaredKind, problems: [] };
}

/** Line of a key inside the mapping at `path` (for unknown-field problems). */
function keyLine(document: Document, lineCounter: LineCounter, path: readonly PropertyKey[], key: string): number | undefined {
  const node = path.length === 0 ? document.contents : document.getIn(path as unknown[], true);
  if (!isMap(node)) return undefined;
  const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  return range ? lineCounter.linePos(range[0]).line : undefined;
}

function describeIssue(issue: { message: string }): string {
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
