/**
 * Customer CSV files (a CRM or Excel export) to candidate records for the import use case.
 * Columns are snake_case as CRMs export them; list cells (products, topics) are separated by `;`.
 * A custom attribute declared in campaigns/attributes.yaml is a column `attr_<id>` (the prefix keeps
 * custom columns apart from ours, today's and future ones); its cell is checked by the import.
 * Owns what a file must look like: a file that is missing, empty, not text in a known encoding,
 * not CSV, or has a missing or unknown column is refused whole before anything is written; a row
 * with the wrong number of cells is refused on its own (`rejected`) and the other rows still go in.
 * Line numbers are lines of the file as an editor shows them, whatever the line endings (LF,
 * CRLF, CR, or a mix); a record whose quoted cell spans lines is reported at the line it starts on.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { CandidateRecord, RejectedRecord } from '../../core/customers/import-customers.ts';
import { decodeTextFile, TextEncodingError, type EncodingChoice } from './text-file-encoding.ts';

export type CustomerFileKind = 'accounts' | 'contacts';

interface ColumnSpec {
  field: string;
  required: boolean;
  kind?: 'number' | 'list' | 'attribute';
}

/** Column-name prefix of custom attributes: `attr_industry` holds the attribute `industry`. */
export const ATTRIBUTE_COLUMN_PREFIX = 'attr_';

export const CSV_COLUMNS: Record<CustomerFileKind, Record<string, ColumnSpec>> = {
  accounts: {
    account_id: { field: 'accountId', required: true },
    name: { field: 'name', required: true },
    tier: { field: 'tier', required: true },
    plan: { field: 'plan', required: true },
    products: { field: 'products', required: false, kind: 'list' },
    phase: { field: 'phase', required: true },
    mrr: { field: 'mrr', required: true, kind: 'number' },
    currency: { field: 'currency', required: true },
    csm_owner: { field: 'csmOwner', required: false },
  },
  contacts: {
    contact_id: { field: 'contactId', required: true },
    account_id: { field: 'accountId', required: true },
    email: { field: 'email', required: true },
    first_name: { field: 'firstName', required: false },
    last_name: { field: 'lastName', required: false },
    locale: { field: 'locale', required: true },
    time_zone: { field: 'timeZone', required: true },
    consent: { field: 'consent', required: true },
    consent_at: { field: 'consentAt', required: false },
    topics_opted_out: { field: 'topicsOptedOut', required: false, kind: 'list' },
    role: { field: 'role', required: false },
  },
};

export class CustomerCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomerCsvError';
  }
}

/** One customer file as read: the rows to check, the rows refused by the reader, and what to tell the person. */
export interface CustomerCsvFile {
  source: string;
  /** Well-formed rows, values still unchecked (the import use case checks them). */
  records: CandidateRecord[];
  /** Rows that cannot be read as a record (wrong number of cells), with their line and reason. */
  rejected: RejectedRecord[];
  /** What the bytes were decoded as (WHATWG name: utf-8, shift_jis, utf-16le, ...). */
  encoding: string;
  /** Worth saying but not an error: a non-UTF-8 encoding, a header-only file, a non-comma separator. */
  notes: string[];
}

export interface CustomerCsvReadOptions {
  /** An encoding label (shift_jis, cp932, utf-16le, ...) that overrides detection. */
  encoding?: string;
  /**
   * Ids of the custom attributes declared for this kind of file (contact attributes for contacts,
   * account attributes for accounts): each may be a column `attr_<id>`. Any other `attr_` column
   * is unknown and refuses the file, like any unknown column.
   */
  attributes?: readonly string[];
}

/** Field name (accountId, attributes.industry) to the CSV column that holds it (account_id, attr_industry), for messages. */
export function csvColumnLabel(field: string): string {
  if (field.startsWith('attributes.')) return `${ATTRIBUTE_COLUMN_PREFIX}${field.slice('attributes.'.length)}`;
  for (const columns of Object.values(CSV_COLUMNS)) {
    for (const [column, spec] of Object.entries(columns)) if (spec.field === field) return column;
  }
  return field;
}

/**
 * Reads one customer file. `path` is named as given in messages about the file itself (missing,
 * unreadable); its base name is the `source` of every row.
 * @throws CustomerCsvError when the file cannot be imported at all.
 */
export async function readCustomerCsvFile(path: string, kind: CustomerFileKind, options: CustomerCsvReadOptions = {}): Promise<CustomerCsvFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  return parseCustomerCsvBytes(bytes, basename(path), kind, options);
}

/** The file's bytes to rows: decoding (see text-file-encoding.ts), then CSV. Pure. */
export function parseCustomerCsvBytes(bytes: Uint8Array, source: string, kind: CustomerFileKind, options: CustomerCsvReadOptions = {}): CustomerCsvFile {
  let decoded;
  try {
    decoded = decodeTextFile(bytes, options.encoding);
  } catch (error) {
    throw refusedEncoding(error, source);
  }
  const parsed = parseRows(decoded.text, source, kind, options.attributes);
  return { ...parsed, source, encoding: decoded.encoding, notes: [...encodingNotes(source, decoded), ...parsed.notes] };
}

/** A file whose bytes are not text in a known encoding, refused with how to fix it. */
export function refusedEncoding(error: unknown, source: string): unknown {
  if (!(error instanceof TextEncodingError)) return error;
  const fix = error.detail
    ? ' Save it as CSV UTF-8 (Excel: Save As > "CSV UTF-8 (Comma delimited)"), or name its encoding with --encoding (shift_jis for Excel in Japan, windows-1252 for Western Europe, utf-16le)'
    : '';
  return new CustomerCsvError(`${source}: ${error.message}.${fix}`);
}

/** Which encoding a file was read in, when it is worth saying (not UTF-8). */
export function encodingNotes(source: string, decoded: { encoding: string; choice: EncodingChoice }): string[] {
  return decoded.encoding === 'utf-8' ? [] : [`${source}: read as ${decoded.encoding} (${describeChoice(decoded.choice)})`];
}

/**
 * For files this project wrote itself (the demo data): every row must be well-formed, so a
 * ragged row refuses the file. People's files go through `readCustomerCsvFile`.
 */
export async function readCustomerCsv(path: string, kind: CustomerFileKind, options: Pick<CustomerCsvReadOptions, 'attributes'> = {}): Promise<CandidateRecord[]> {
  return wellFormedOnly(await readCustomerCsvFile(path, kind, options));
}

/** Text already decoded, strict like `readCustomerCsv`. */
export function parseCustomerCsv(text: string, source: string, kind: CustomerFileKind, options: Pick<CustomerCsvReadOptions, 'attributes'> = {}): CandidateRecord[] {
  return wellFormedOnly({ ...parseRows(text, source, kind, options.attributes), source });
}

function wellFormedOnly(file: Pick<CustomerCsvFile, 'source' | 'records' | 'rejected'>): CandidateRecord[] {
  if (file.rejected.length > 0) {
    throw new CustomerCsvError(`${file.source}: ${file.rejected.map((row) => `line ${row.location.line}: ${row.reason}`).join('; ')}`);
  }
  return file.records;
}

function describeChoice(choice: EncodingChoice): string {
  switch (choice) {
    case 'byte-order mark':
      return 'its byte-order mark says so';
    case 'detected':
      return 'it is not UTF-8 and reads as Japanese text; if names look wrong, pass --encoding';
    case 'forced':
      return '--encoding';
    case 'utf-8':
      return 'UTF-8';
  }
}

export function unreadable(path: string, error: unknown): Error {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new CustomerCsvError(`${path}: no such file`);
    case 'EISDIR':
      return new CustomerCsvError(`${path}: is a folder, expected a CSV file`);
    case 'EACCES':
    case 'EPERM':
      return new CustomerCsvError(`${path}: cannot be read (permission denied)`);
    default:
      return error as Error;
  }
}

export interface ParsedRow {
  record: string[];
  info: { lines: number };
  raw: string;
}

function parseRows(text: string, source: string, kind: CustomerFileKind, attributes: readonly string[] = []): Omit<CustomerCsvFile, 'source' | 'encoding'> {
  const format = customerCsvFormat(kind, attributes);
  // csv-parse picks one record delimiter per file and counts lines by it, so a file with LF and
  // CRLF (or CR-only) lines would get wrong line numbers; one kind of line end makes them right.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (normalised.trim() === '') throw emptyFile(source, format);
  const delimiter = separatorOf(normalised.trimStart().split('\n', 1)[0] ?? '');

  let rows: ParsedRow[];
  try {
    rows = parse(normalised, csvParseOptions(delimiter)) as unknown as ParsedRow[];
  } catch (error) {
    throw notCsv(source, error);
  }

  const [headerRow, ...dataRows] = rows;
  const header = checkedHeader(headerRow, format, source);
  const records: CandidateRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const row of dataRows) {
    const item = rowItem(row, header, format, source);
    if ('reason' in item) rejected.push(item);
    else records.push(item);
  }
  return { records, rejected, notes: formatNotes(source, delimiter, dataRows.length) };
}

/** The columns a kind of file may have (ours and the declared attributes), and the header to show. */
export interface CustomerCsvFormat {
  columns: Record<string, ColumnSpec>;
  expectedHeader: string;
}

export function customerCsvFormat(kind: CustomerFileKind, attributes: readonly string[] = []): CustomerCsvFormat {
  const columns = columnsWithAttributes(CSV_COLUMNS[kind], attributes);
  const expectedHeader = Object.entries(columns).filter(([, spec]) => spec.kind !== 'attribute').map(([column]) => column).join(',');
  return { columns, expectedHeader };
}

/** csv-parse's options for text whose line ends are all LF, read as rows with their line info. */
export function csvParseOptions(delimiter: string) {
  return {
    delimiter,
    info: true,
    raw: true,
    trim: true,
    skip_empty_lines: true,
    // Excel writes rows it once saw used as `,,,,`: no data, nothing to report.
    skip_records_with_empty_values: true,
    // Ragged rows are refused one by one, not as the whole file.
    relax_column_count: true,
  } as const;
}

export function emptyFile(source: string, format: CustomerCsvFormat): CustomerCsvError {
  return new CustomerCsvError(`${source}: the file is empty: expected a header line ${format.expectedHeader}`);
}

export function notCsv(source: string, error: unknown): CustomerCsvError {
  return new CustomerCsvError(`${source}: not valid CSV: ${(error as Error).message}`);
}

/** The header row's cells; a missing, unknown or repeated column refuses the file. */
export function checkedHeader(headerRow: ParsedRow | undefined, format: CustomerCsvFormat, source: string): string[] {
  const header = withoutTrailingEmpty(headerRow?.record ?? []);
  checkHeader(header, format.columns, source, format.expectedHeader);
  return header;
}

/** One data row as a record to check, or refused on its own (the wrong number of cells). */
export function rowItem(row: ParsedRow, header: string[], format: CustomerCsvFormat, source: string): CandidateRecord | RejectedRecord {
  const location = { source, line: startLine(row) };
  const problem = cellCountProblem(row.record, header.length);
  if (problem) return { location, reason: problem };
  return { location, value: toFields(header, row.record, format.columns) };
}

/** Worth saying but not an error: a non-comma separator, a header-only file. */
export function formatNotes(source: string, delimiter: string, dataRows: number): string[] {
  const notes: string[] = [];
  if (delimiter !== ',') notes.push(`${source}: cells are separated by ${delimiter === '\t' ? 'tabs' : `'${delimiter}'`}`);
  if (dataRows === 0) notes.push(`${source}: has a header but no rows; nothing to import from it`);
  return notes;
}

/** Tab for Excel's "Unicode text" and `;` for Excel in decimal-comma locales, when the header has no comma. */
export function separatorOf(headerLine: string): string {
  if (headerLine.includes(',')) return ',';
  if (headerLine.includes('\t')) return '\t';
  if (headerLine.includes(';')) return ';';
  return ',';
}

/**
 * csv-parse reports the line a record ends on, and its raw text starts with any blank lines it
 * skipped before it; the line a record starts on is the end line minus the line breaks inside it.
 */
function startLine(row: ParsedRow): number {
  const own = row.raw.replace(/^\s*\n/, '').replace(/\n$/, '');
  return row.info.lines - (own.match(/\n/g)?.length ?? 0);
}

function cellCountProblem(cells: string[], expected: number): string | undefined {
  const count = cells.length;
  if (count < expected) return `${count} ${count === 1 ? 'cell' : 'cells'}, expected ${expected} (a missing cell, or a line break in a cell that is not in double quotes?)`;
  // Cells past the header that are all empty are how spreadsheets pad rows; there is nothing in them to lose.
  if (cells.slice(expected).some((cell) => cell !== '')) return `${count} cells, expected ${expected} (a comma inside a cell that is not in double quotes?)`;
  return undefined;
}

/** Our columns plus one optional `attr_<id>` column per declared attribute. */
function columnsWithAttributes(columns: Record<string, ColumnSpec>, attributes: readonly string[]): Record<string, ColumnSpec> {
  const withAttributes = { ...columns };
  for (const id of attributes) withAttributes[`${ATTRIBUTE_COLUMN_PREFIX}${id}`] = { field: id, required: false, kind: 'attribute' };
  return withAttributes;
}

function checkHeader(present: string[], columns: Record<string, ColumnSpec>, source: string, expectedHeader: string): void {
  const unknown = present.filter((column) => !(column in columns));
  const duplicated = [...new Set(present.filter((column, i) => present.indexOf(column) !== i))];
  const missing = Object.entries(columns).filter(([column, spec]) => spec.required && !present.includes(column)).map(([column]) => column);
  if (unknown.length === 0 && missing.length === 0 && duplicated.length === 0) return;
  const problems = [
    ...(missing.length > 0 ? [`missing column(s) ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`unknown column(s) ${unknown.map((column) => column || '(empty)').join(', ')}`] : []),
    ...(duplicated.length > 0 ? [`column(s) named twice: ${duplicated.join(', ')}`] : []),
  ];
  const optional = Object.entries(columns).filter(([, spec]) => !spec.required).map(([column]) => column);
  // An attr_ column that is not declared is most likely an attribute someone forgot to declare.
  const undeclared = unknown.some((column) => column.startsWith(ATTRIBUTE_COLUMN_PREFIX))
    ? `; an ${ATTRIBUTE_COLUMN_PREFIX}<id> column needs the attribute declared in campaigns/attributes.yaml`
    : '';
  throw new CustomerCsvError(`${source}: ${problems.join('; ')}. Expected header: ${expectedHeader} (optional: ${optional.join(', ')})${undeclared}`);
}

function withoutTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end--;
  return cells.slice(0, end);
}

function toFields(header: string[], cells: string[], columns: Record<string, ColumnSpec>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  header.forEach((column, i) => {
    const spec = columns[column];
    const cell = cells[i] ?? '';
    if (!spec || cell === '') return;
    if (spec.kind === 'attribute') value.attributes = { ...(value.attributes as Record<string, string> | undefined), [spec.field]: cell };
    else if (spec.kind === 'list') value[spec.field] = cell.split(';').map((item) => item.trim()).filter(Boolean);
    else if (spec.kind === 'number') value[spec.field] = /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
    else value[spec.field] = cell;
  });
  return value;
}
