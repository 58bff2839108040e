/**
 * The streamed reader of customer files gives what the whole-file reader gives (the same records
 * with the same line numbers, rows refused alone, notes and encoding, or the same refusal of the
 * whole file) however the bytes are cut into chunks: a chunk may end inside a UTF-8 or Shift_JIS
 * character, between CR and LF, or inside a quoted cell.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCustomerCsv, openCustomerCsvFile, PAGE_ROWS } from '../../../adapters/fs/customer-csv-stream.ts';
import { parseCustomerCsvBytes, type CustomerCsvReadOptions, type CustomerFileKind } from '../../../adapters/fs/customer-csv.ts';
import type { ImportItem } from '../../../core/customers/import-customers.ts';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'customers');
const HEADER = 'account_id,name,tier,plan,products,phase,mrr,currency,csm_owner';
const row = (id: string, name = `Name ${id}`) => `${id},${name},tier2,standard,core,adoption,1000,JPY,`;

type Outcome = { refused: string } | { items: ImportItem[]; notes: string[]; encoding: string; rows: number };

function wholeFile(bytes: Uint8Array, kind: CustomerFileKind, options: CustomerCsvReadOptions): Outcome {
  try {
    const file = parseCustomerCsvBytes(bytes, 'accounts.csv', kind, options);
    const items = [...file.records, ...file.rejected].sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
    return { items, notes: file.notes, encoding: file.encoding, rows: items.length };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

async function streamed(bytes: Uint8Array, chunkBytes: number, kind: CustomerFileKind, options: CustomerCsvReadOptions): Promise<Outcome> {
  const chunks = async function* () {
    for (let start = 0; start < bytes.length; start += chunkBytes) yield bytes.subarray(start, start + chunkBytes);
  };
  try {
    const file = await openCustomerCsv(chunks, 'accounts.csv', kind, options);
    const items: ImportItem[] = [];
    for await (const page of file.pages()) {
      expect(page.length).toBeLessThanOrEqual(PAGE_ROWS);
      items.push(...page);
    }
    return { items, notes: file.notes, encoding: file.encoding, rows: file.rows };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

async function expectSameAsWholeFile(bytes: Uint8Array, options: CustomerCsvReadOptions = {}, kind: CustomerFileKind = 'accounts'): Promise<Outcome> {
  const expected = wholeFile(bytes, kind, options);
  for (const chunkBytes of [1, 2, 3, 5, 64, 65_536]) expect(await streamed(bytes, chunkBytes, kind, options), `chunks of ${chunkBytes} bytes`).toEqual(expected);
  return expected;
}

describe('a customer file read as a stream', () => {
  it('reads rows, ragged rows, blank lines and quoted cells across lines like the whole file, for any mix of line ends', async () => {
    const cell = fc.constantFrom('"Kobe\r\nRobotics\nInc."', '佐藤商事', '"a,b"', 'Hélène', '');
    const line = fc.oneof(
      fc.tuple(fc.stringMatching(/^[a-z]{1,4}$/), cell).map(([id, name]) => row(id, name || undefined)),
      fc.constantFrom('short,row', '', ',,,,,,,,', 'x,y,tier2,standard,core,adoption,1000,JPY,,extra'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 12 }), fc.boolean(), async (lines, bom) => {
        const text = `${bom ? '\uFEFF' : ''}${HEADER}\r\n${lines.map(([content, end]) => content + end).join('')}`;
        await expectSameAsWholeFile(Buffer.from(text));
      }),
      { numRuns: 60 },
    );
  });

  it('decides and proves the encoding like the whole-file reader: Shift_JIS, UTF-16 with a BOM, forced, refused', async () => {
    const shiftJis = await readFile(join(fixtures, 'contacts-shift-jis.csv'));
    expect(await expectSameAsWholeFile(shiftJis, {}, 'contacts')).toMatchObject({ encoding: 'shift_jis' });
    expect(await expectSameAsWholeFile(shiftJis, { encoding: 'cp932' }, 'contacts')).toMatchObject({ encoding: 'shift_jis' });
    expect(await expectSameAsWholeFile(shiftJis, { encoding: 'utf-8' }, 'contacts')).toMatchObject({ refused: expect.stringMatching(/not UTF-8: byte 0x\w+ at line 2 /) });

    const text = `${HEADER}\n${row('a', '佐藤商事')}\n`;
    const tabbed = Buffer.from(text.replaceAll(',', '\t'), 'utf16le');
    expect(await expectSameAsWholeFile(Buffer.concat([Buffer.from([0xff, 0xfe]), tabbed]))).toMatchObject({ encoding: 'utf-16le' });
    expect(await expectSameAsWholeFile(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(tabbed).swap16()]))).toMatchObject({ encoding: 'utf-16be' });
    expect(await expectSameAsWholeFile(Buffer.from(`${HEADER}\n${row('a')}\n`, 'utf16le'))).toMatchObject({ refused: expect.stringMatching(/NUL bytes/) });

    const latin1 = Buffer.from(`${HEADER}\r\n${row('a')}\r${row('b', 'Hélène Dupont')}\n`, 'latin1');
    expect(await expectSameAsWholeFile(latin1)).toMatchObject({ refused: expect.stringMatching(/byte 0xe9 at line 3 .*not read as Shift_JIS/) });
    expect(await expectSameAsWholeFile(latin1, { encoding: 'windows-1252' })).toMatchObject({ encoding: 'windows-1252' });

    const japaneseEndingLatinWords = new Uint8Array(execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: `${HEADER}\n${row('a', 'ABC社')}\n${row('b', 'IT部 株式会社')}\n` }));
    expect(await expectSameAsWholeFile(japaneseEndingLatinWords)).toMatchObject({ encoding: 'shift_jis' });
    // Misread Latin-1 on one line and real Japanese on another: the whole file's verdict, not one line's.
    const mixed = Buffer.concat([Buffer.from(`${HEADER}\n${row('a', '')}`), Buffer.from('\n' + row('b', 'Hélène') + '\n', 'latin1')]);
    await expectSameAsWholeFile(mixed);
  });

  it('refuses what the whole-file reader refuses: empty, header only noted, unknown columns, unclosed quotes, another separator noted', async () => {
    expect(await expectSameAsWholeFile(Buffer.from('\uFEFF\r\n  \n'))).toMatchObject({ refused: expect.stringMatching(/the file is empty/) });
    expect(await expectSameAsWholeFile(Buffer.from(`${HEADER}\r\n`))).toMatchObject({ notes: [expect.stringMatching(/has a header but no rows/)] });
    expect(await expectSameAsWholeFile(Buffer.from('account_id,name,tier\nx,y,tier1\n'))).toMatchObject({ refused: expect.stringMatching(/missing column\(s\)/) });
    expect(await expectSameAsWholeFile(Buffer.from(`${HEADER}\n${row('a')}\n"b,unclosed\n${row('c')}\n`))).toMatchObject({ refused: expect.stringMatching(/not valid CSV/) });
    expect(await expectSameAsWholeFile(Buffer.from(`\n\n${HEADER.replaceAll(',', ';')}\n${row('a').replaceAll(',', ';')}\n`))).toMatchObject({
      notes: [expect.stringMatching(/separated by ';'/)],
    });
  });

  it('names a missing file or a folder by the path given, before reading a row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-stream-'));
    await expect(openCustomerCsvFile(join(dir, 'none.csv'), 'accounts')).rejects.toThrow(`${join(dir, 'none.csv')}: no such file`);
    await expect(openCustomerCsvFile(dir, 'accounts')).rejects.toThrow(`${dir}: is a folder, expected a CSV file`);
    await writeFile(join(dir, 'accounts.csv'), `${HEADER}\n${Array.from({ length: 250 }, (_, i) => row(`a${i}`)).join('\n')}\n`);
    const file = await openCustomerCsvFile(join(dir, 'accounts.csv'), 'accounts');
    const pages: number[] = [];
    for await (const page of file.pages()) pages.push(page.length);
    expect({ rows: file.rows, pages }).toEqual({ rows: 250, pages: [100, 100, 50] });
  });
});
