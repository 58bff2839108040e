/**
 * Customer CSV files as teams really export them: any line endings, Excel's encodings
 * (Shift_JIS, UTF-16, BOMs), ragged rows, and empty, header-only or missing files.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustomerCsvError, parseCustomerCsv, parseCustomerCsvBytes, readCustomerCsvFile, type CustomerCsvFile } from '../../../adapters/fs/customer-csv.ts';
import { decodeTextFile, firstInvalidUtf8Byte, resolveEncoding } from '../../../adapters/fs/text-file-encoding.ts';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'customers');
const HEADER = 'account_id,name,tier,plan,products,phase,mrr,currency,csm_owner';
const row = (id: string, name = `Name ${id}`) => `${id},${name},tier2,standard,core,adoption,1000,JPY,`;

const read = (content: string | Uint8Array, encoding?: string): CustomerCsvFile =>
  parseCustomerCsvBytes(typeof content === 'string' ? Buffer.from(content) : content, 'accounts.csv', 'accounts', encoding ? { encoding } : {});
const linesOf = (file: CustomerCsvFile) => Object.fromEntries(file.records.map((record) => [(record.value as { accountId: string }).accountId, record.location.line]));
const refusal = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CustomerCsvError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('line numbers', () => {
  it('are the lines an editor shows, whatever the line endings', () => {
    const lines = [HEADER, row('a'), row('b'), 'c,short', row('d')];
    const expected = { a: 2, b: 3, d: 5 };
    const files = {
      lf: lines.join('\n') + '\n',
      crlf: lines.join('\r\n') + '\r\n',
      cr: lines.join('\r') + '\r',
      // LF header, CRLF rows: what some tools write when they append to a file.
      appended: `${HEADER}\n${lines.slice(1).join('\r\n')}\r\n`,
    };
    for (const [ending, text] of Object.entries(files)) {
      const file = read(text);
      expect(linesOf(file), ending).toEqual(expected);
      expect(file.rejected.map((rejected) => rejected.location.line), ending).toEqual([4]);
    }
  });

  it('are right for any mix of LF, CRLF and CR between lines, blank lines included', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 7, maxLength: 7 }), fc.boolean(), (endings, blankLine) => {
        // A CR ending, then an empty line ending in LF, is one CRLF: no editor sees a blank line there.
        fc.pre(!(blankLine && endings[1] === '\r' && endings[2]?.startsWith('\n')));
        const lines = [HEADER, row('a'), ...(blankLine ? [''] : []), row('b'), row('c'), row('d')];
        const text = lines.map((line, i) => line + (endings[i] ?? '\n')).join('');
        const file = read(text);
        expect(linesOf(file)).toEqual(blankLine ? { a: 2, b: 4, c: 5, d: 6 } : { a: 2, b: 3, c: 4, d: 5 });
      }),
    );
  });

  it('name the line a record starts on when a quoted cell spans lines, and keep counting after it', () => {
    const text = `${HEADER}\r\n${row('a')}\r\n${row('b', '"Kobe\r\nRobotics\nInc."')}\r\n${row('c')}\r\n`;
    const file = read(text);
    expect(linesOf(file)).toEqual({ a: 2, b: 3, c: 6 });
    expect(file.records[1]?.value).toMatchObject({ name: 'Kobe\nRobotics\nInc.' });
  });
});

describe('encodings', () => {
  it('reads a Shift_JIS (CP932) file from Excel in Japan, including CP932-only characters like 髙, and says so', async () => {
    const contacts = parseCustomerCsvBytes(await readFile(join(fixtures, 'contacts-shift-jis.csv')), 'contacts-shift-jis.csv', 'contacts');
    expect(contacts.encoding).toBe('shift_jis');
    expect(contacts.notes).toEqual([expect.stringMatching(/^contacts-shift-jis\.csv: read as shift_jis \(it is not UTF-8 and reads as Japanese text/)]);
    expect(contacts.records.map((record) => record.value)).toEqual([
      expect.objectContaining({ contactId: 'sjc-1', lastName: '佐藤', firstName: '太郎', role: '部長' }),
      expect.objectContaining({ contactId: 'sjc-2', lastName: '髙橋', firstName: '一郎', role: '①営業担当' }),
    ]);
    expect(contacts.records.map((record) => record.location.line)).toEqual([2, 3]);

    const accounts = parseCustomerCsvBytes(await readFile(join(fixtures, 'accounts-shift-jis.csv')), 'accounts-shift-jis.csv', 'accounts');
    expect(accounts.records.map((record) => (record.value as { name: string }).name)).toEqual(['株式会社サトウ精機', '髙橋ロボティクス株式会社']);
  });

  it('decodes as a forced encoding, and refuses a forced UTF-8 that the bytes are not', async () => {
    const bytes = await readFile(join(fixtures, 'contacts-shift-jis.csv'));
    const forced = parseCustomerCsvBytes(bytes, 'contacts.csv', 'contacts', { encoding: 'cp932' });
    expect(forced.notes).toEqual(['contacts.csv: read as shift_jis (--encoding)']);
    expect(forced.records[1]?.value).toMatchObject({ lastName: '髙橋' });
    const firstSjisByte = bytes.findIndex((byte) => byte >= 0x80);
    expect(refusal(() => parseCustomerCsvBytes(bytes, 'contacts.csv', 'contacts', { encoding: 'utf-8' }))).toBe(
      `contacts.csv: not UTF-8: byte 0x${bytes[firstSjisByte]!.toString(16)} at line 2 (byte offset ${firstSjisByte}) is not valid UTF-8.` +
        ' Save it as CSV UTF-8 (Excel: Save As > "CSV UTF-8 (Comma delimited)"), or name its encoding with --encoding (shift_jis for Excel in Japan, windows-1252 for Western Europe, utf-16le)',
    );
    expect(() => resolveEncoding('klingon')).toThrow(/unknown encoding 'klingon': use utf-8, shift_jis/);
  });

  it('reads UTF-8 with a BOM and UTF-16 LE/BE with a BOM (Excel "Unicode text", tab-separated) as the same records', () => {
    const text = `${HEADER}\n${row('a', '佐藤商事')}\n`;
    const utf16be = Buffer.from(text.replaceAll(',', '\t'), 'utf16le').swap16();
    const variants: Array<[string, Uint8Array]> = [
      ['utf-8', Buffer.from('\uFEFF' + text)],
      ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replaceAll(',', '\t'), 'utf16le')])],
      ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be])],
    ];
    for (const [encoding, bytes] of variants) {
      const file = read(bytes);
      expect(file.encoding).toBe(encoding);
      expect(file.records.map((record) => record.value)).toEqual([expect.objectContaining({ accountId: 'a', name: '佐藤商事', products: ['core'] })]);
    }
  });

  it('refuses Latin-1 / Windows-1252 text rather than importing it as kanji, naming the line and byte', () => {
    // Both decode as Shift_JIS without error: Hélène as H駘鈩e, Kobe’s as Kobe痴.
    const latin1 = Buffer.from(`${HEADER}\n${row('a')}\n${row('b', 'Hélène Dupont')}\n`, 'latin1');
    const offset = latin1.indexOf(0xe9);
    expect(refusal(() => read(latin1))).toMatch(
      new RegExp(`^accounts\\.csv: not UTF-8: byte 0xe9 at line 3 \\(byte offset ${offset}\\) is not valid UTF-8, and the file does not read as Shift_JIS Japanese text either\\. Save it as CSV UTF-8 .*--encoding`),
    );
    const windows1252 = Buffer.from(`${HEADER}\n${row('a', 'Kobe\x92s Robots')}\n`, 'latin1');
    expect(refusal(() => read(windows1252))).toMatch(/^accounts\.csv: not UTF-8: byte 0x92 at line 2 /);
    expect(read(windows1252, 'windows-1252').records[0]?.value).toMatchObject({ name: 'Kobe’s Robots' });
  });

  it('reads Shift_JIS names that end a Latin word (ABC社, IT部) as Japanese, not as misread Latin-1', () => {
    const text = `${HEADER}\n${row('a', 'ABC社')}\n${row('b', 'IT部 株式会社')}\n`;
    const bytes = new Uint8Array(execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: text }));
    const file = read(bytes);
    expect(file.encoding).toBe('shift_jis');
    expect(file.records.map((record) => (record.value as { name: string }).name)).toEqual(['ABC社', 'IT部 株式会社']);
  });

  it('refuses UTF-16 without a byte-order mark instead of reading NULs as text', () => {
    expect(refusal(() => read(Buffer.from(`${HEADER}\n${row('a')}\n`, 'utf16le')))).toMatch(/^accounts\.csv: contains NUL bytes: it looks like UTF-16/);
  });

  it('finds the first invalid UTF-8 byte exactly where a strict TextDecoder fails', () => {
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 8 }), (noise, valid) => {
        const bytes = Buffer.concat([Buffer.from(valid), noise]);
        const at = firstInvalidUtf8Byte(bytes);
        let decodes = true;
        try {
          utf8.decode(bytes);
        } catch {
          decodes = false;
        }
        expect(at === -1).toBe(decodes);
        if (at >= 0) {
          expect(() => utf8.decode(bytes.subarray(0, at))).not.toThrow();
          expect(at).toBeGreaterThanOrEqual(Buffer.byteLength(valid));
        }
      }),
    );
  });

  it('keeps plain UTF-8 as UTF-8 with nothing to note', () => {
    expect(decodeTextFile(Buffer.from('a,髙橋\n'))).toEqual({ text: 'a,髙橋\n', encoding: 'utf-8', choice: 'utf-8' });
  });
});

describe('ragged rows', () => {
  it('rejects a row with too many or too few cells as that row, and keeps the others', () => {
    const text = [HEADER, row('a'), 'b,Short Row,tier2', `${row('c')},extra,cells`, row('d'), ''].join('\n');
    const file = read(text);
    expect(linesOf(file)).toEqual({ a: 2, d: 5 });
    expect(file.rejected).toEqual([
      { location: { source: 'accounts.csv', line: 3 }, reason: expect.stringMatching(/^3 cells, expected 9 /) },
      { location: { source: 'accounts.csv', line: 4 }, reason: expect.stringMatching(/^11 cells, expected 9 \(a comma inside a cell that is not in double quotes\?\)/) },
    ]);
  });

  it('accepts the empty padding cells and empty rows spreadsheets add', () => {
    const file = read([`${HEADER},,`, `${row('a')},,`, row('b'), ',,,,,,,,,,', row('c'), ''].join('\r\n'));
    expect(linesOf(file)).toEqual({ a: 2, b: 3, c: 5 });
    expect(file.rejected).toEqual([]);
  });

  it('refuse the whole file in the strict reader used for generated files', () => {
    expect(refusal(() => parseCustomerCsv(`${HEADER}\n${row('a')}\nb,x\n`, 'accounts.csv', 'accounts'))).toMatch(/^accounts\.csv: line 3: 2 cells, expected 9/);
  });
});

describe('empty, header-only and missing files', () => {
  it('refuses an empty file (no bytes, only whitespace, only a BOM), naming it and the header it expects', () => {
    for (const content of ['', ' \r\n\n\t', '\uFEFF', '\uFEFF\r\n']) {
      expect(refusal(() => read(content))).toBe(`accounts.csv: the file is empty: expected a header line ${HEADER}`);
    }
    expect(refusal(() => read(new Uint8Array([0xff, 0xfe])))).toMatch(/^accounts\.csv: the file is empty/);
  });

  it('reads a header-only file as no rows, with a note rather than an error', () => {
    const file = read(`${HEADER}\r\n`);
    expect(file.records).toEqual([]);
    expect(file.rejected).toEqual([]);
    expect(file.notes).toEqual(['accounts.csv: has a header but no rows; nothing to import from it']);
  });

  it('names a missing file as it was given', async () => {
    const missing = join(tmpdir(), 'no-such-folder-7f3a', 'accounts.csv');
    await expect(readCustomerCsvFile(missing, 'accounts')).rejects.toThrow(new CustomerCsvError(`${missing}: no such file`));
    await expect(readCustomerCsvFile(fixtures, 'accounts')).rejects.toThrow(/is a folder, expected a CSV file$/);
  });
});
