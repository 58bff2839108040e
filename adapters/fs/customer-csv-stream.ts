/**
 * A customer CSV file (customer-csv.ts owns its format) read as a stream of pages, so importing a
 * million-row CRM export holds one page, not the file. Opening a file reads it through once
 * without keeping it: its encoding is decided and proved (text-file-stream.ts), and its CSV is
 * parsed to the end, so every reason to refuse the whole file (missing, empty, not text in a
 * known encoding, not CSV, a missing or unknown column) is found before anything is written, as
 * when the file was read whole. `pages()` then reads it again, page by page, with the same line
 * numbers and the same rows refused on their own.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import type { ImportItem } from '../../core/customers/import-customers.ts';
import {
  checkedHeader,
  csvParseOptions,
  customerCsvFormat,
  emptyFile,
  encodingNotes,
  formatNotes,
  notCsv,
  refusedEncoding,
  rowItem,
  separatorOf,
  unreadable,
  type CustomerCsvFormat,
  type CustomerCsvReadOptions,
  type CustomerFileKind,
  type ParsedRow,
} from './customer-csv.ts';
import { checkTextStream, decodeTextStream, type ByteChunks } from './text-file-stream.ts';

/** Rows per page: one batched look-up of owners and accounts (DynamoDB reads 100 keys at a time). */
export const PAGE_ROWS = 100;

export interface CustomerCsvStream {
  source: string;
  /** What the bytes are decoded as (WHATWG name: utf-8, shift_jis, utf-16le, ...). */
  encoding: string;
  /** Worth saying but not an error: a non-UTF-8 encoding, a header-only file, a non-comma separator. */
  notes: string[];
  /** Data rows in the file, well-formed or not (for progress). */
  rows: number;
  /** The rows from the start, page by page: records to check, and rows refused by the reader. */
  pages(): AsyncIterable<ImportItem[]>;
}

/**
 * Opens one customer file for a streamed import. `path` is named as given in messages about the
 * file itself (missing, unreadable); its base name is the `source` of every row.
 * @throws CustomerCsvError when the file cannot be imported at all.
 */
export async function openCustomerCsvFile(path: string, kind: CustomerFileKind, options: CustomerCsvReadOptions = {}): Promise<CustomerCsvStream> {
  try {
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    return await openCustomerCsv(() => createReadStream(path), basename(path), kind, options);
  } catch (error) {
    // A read that fails after the file was found (permission denied) names the path, like a missing file.
    throw (error as NodeJS.ErrnoException).code ? unreadable(path, error) : error;
  }
}

/** `openCustomerCsvFile` over any source of the file's bytes, read from the start on each call. */
export async function openCustomerCsv(bytes: ByteChunks, source: string, kind: CustomerFileKind, options: CustomerCsvReadOptions = {}): Promise<CustomerCsvStream> {
  let decoded;
  try {
    decoded = await checkTextStream(bytes, options.encoding);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code ? error : refusedEncoding(error, source);
  }
  const format = customerCsvFormat(kind, options.attributes);
  const read = () => readRows(decodeTextStream(bytes(), decoded.encoding), format, source);

  // The pass that refuses a bad file before anything is written: every row is parsed, none kept.
  let rows = 0;
  const first = read();
  for await (const row of first.rows) {
    void row;
    rows++;
  }
  const delimiter = await first.delimiter;
  return {
    source,
    encoding: decoded.encoding,
    notes: [...encodingNotes(source, decoded), ...formatNotes(source, delimiter, rows)],
    rows,
    async *pages() {
      let page: ImportItem[] = [];
      for await (const item of read().rows) {
        page.push(item);
        if (page.length === PAGE_ROWS) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    },
  };
}

/** The data rows of decoded text, and the separator found in its header line. */
function readRows(texts: AsyncIterable<string>, format: CustomerCsvFormat, source: string): { rows: AsyncGenerator<ImportItem>; delimiter: Promise<string> } {
  let foundDelimiter: (delimiter: string) => void = () => undefined;
  const delimiter = new Promise<string>((resolve) => (foundDelimiter = resolve));
  async function* rows(): AsyncGenerator<ImportItem> {
    const lines = oneKindOfLineEnd(texts)[Symbol.asyncIterator]();
    // The separator is decided by the first line with something on it, as for a whole file.
    let head = '';
    let next = await lines.next();
    while (!next.done) {
      head += next.value;
      const content = head.trimStart();
      if (content.includes('\n')) break;
      next = await lines.next();
    }
    if (head.trim() === '') throw emptyFile(source, format);
    const separator = separatorOf(head.trimStart().split('\n', 1)[0] ?? '');
    foundDelimiter(separator);
    async function* text() {
      yield head;
      if (next.done) return;
      for (let more = await lines.next(); !more.done; more = await lines.next()) yield more.value;
    }

    const parser = parse(csvParseOptions(separator));
    const feeding = pipeline(Readable.from(text()), parser);
    // A failure is thrown by the loop below (the pipeline destroys the parser with it).
    feeding.catch(() => undefined);
    let header: string[] | undefined;
    try {
      for await (const row of parser as AsyncIterable<ParsedRow>) {
        if (header === undefined) header = checkedHeader(row, format, source);
        else yield rowItem(row, header, format, source);
      }
      await feeding;
    } catch (error) {
      throw error instanceof CsvError ? notCsv(source, error) : refusedEncoding(error, source);
    } finally {
      parser.destroy();
    }
    if (header === undefined) checkedHeader(undefined, format, source);
  }
  return { rows: rows(), delimiter };
}

/**
 * csv-parse counts lines by one record delimiter per file, so LF, CRLF and CR-only lines (or a
 * mix) become LF, as for a whole file; a CR at a chunk's end waits to see whether LF follows.
 * A byte-order mark the decoder left is dropped.
 */
async function* oneKindOfLineEnd(texts: AsyncIterable<string>): AsyncGenerator<string> {
  let carriedCr = false;
  let atStart = true;
  for await (let text of texts) {
    if (atStart && text.length > 0) {
      text = text.replace(/^\uFEFF/, '');
      atStart = false;
    }
    if (carriedCr) text = `\r${text}`;
    carriedCr = text.endsWith('\r');
    if (carriedCr) text = text.slice(0, -1);
    if (text.length > 0) yield text.replace(/\r\n?/g, '\n');
  }
  if (carriedCr) yield '\n';
}
