/**
 * The rules of text-file-encoding.ts for a file read as a stream, so a million-row export is never
 * held whole: `checkTextStream` reads the file once or twice and decides its encoding exactly as
 * decodeTextFile would (a byte-order mark; else strict UTF-8; else Shift_JIS that reads as
 * Japanese; else refused naming the line and offset of the first byte that is not UTF-8), which
 * also proves that every byte decodes; `decodeTextStream` then turns chunks into text.
 */
import {
  BOMS,
  decodeWindows1252,
  notUtf8,
  notValidIn,
  resolveEncoding,
  ShiftJisEvidence,
  utf16WithoutBom,
  utf8ProblemIn,
  type EncodingChoice,
} from './text-file-encoding.ts';

/** The file's bytes from its start, each time it is called (a file is read once per pass). */
export type ByteChunks = () => AsyncIterable<Uint8Array>;

export interface CheckedEncoding {
  /** WHATWG name as TextDecoder reports it: utf-8, utf-16le, utf-16be, shift_jis, ... */
  encoding: string;
  choice: EncodingChoice;
}

/**
 * The file's encoding, after proving that all of it decodes in it.
 * @throws TextEncodingError with the same messages decodeTextFile gives for the same bytes.
 */
export async function checkTextStream(chunks: ByteChunks, forced?: string): Promise<CheckedEncoding> {
  if (forced !== undefined) {
    const encoding = resolveEncoding(forced);
    await proveDecodable(chunks, encoding);
    return { encoding, choice: 'forced' };
  }
  const head = await firstBytes(chunks, 3);
  const bom = BOMS.find((candidate) => candidate.bytes.every((byte, i) => head[i] === byte));
  if (bom) {
    await proveDecodable(chunks, bom.encoding);
    return { encoding: bom.encoding, choice: 'byte-order mark' };
  }
  const utf8 = await scanUtf8(chunks);
  if (utf8 === 'valid') return { encoding: 'utf-8', choice: 'utf-8' };
  if (utf8 === 'nul') throw utf16WithoutBom();
  if (await readsAsJapanese(chunks)) return { encoding: 'shift_jis', choice: 'detected' };
  throw notUtf8(utf8, true);
}

/** Text of the chunks in a checked encoding; a leading byte-order mark is dropped. */
export async function* decodeTextStream(chunks: AsyncIterable<Uint8Array>, encoding: string): AsyncGenerator<string> {
  if (encoding === 'windows-1252') {
    // One byte, one character: chunks decode on their own.
    for await (const chunk of chunks) yield decodeWindows1252(chunk);
    return;
  }
  const decoder = new TextDecoder(encoding, { fatal: true });
  try {
    for await (const chunk of chunks) yield decoder.decode(chunk, { stream: true });
    yield decoder.decode();
  } catch (error) {
    // Checked before, so the file changed while it was being imported.
    if (error instanceof TypeError) throw notValidIn(encoding);
    throw error;
  }
}

async function firstBytes(chunks: ByteChunks, count: number): Promise<Uint8Array> {
  let head = new Uint8Array(0);
  for await (const chunk of chunks()) {
    head = Buffer.concat([head, chunk]);
    if (head.length >= count) break;
  }
  return head.subarray(0, count);
}

async function proveDecodable(chunks: ByteChunks, encoding: string): Promise<void> {
  if (encoding === 'utf-8') {
    const utf8 = await scanUtf8(chunks);
    if (utf8 !== 'valid' && utf8 !== 'nul') throw notUtf8(utf8, false);
    return;
  }
  for await (const text of decodeTextStream(chunks(), encoding)) void text;
}

type Utf8Scan = 'valid' | 'nul' | { byteOffset: number; line: number; byte: number };

/**
 * Strict UTF-8 over the stream, with the first bad byte's offset and line (LF, CRLF and a lone CR
 * each one break, as lineOfByte counts them); `nul` when the text is UTF-8 with NUL bytes.
 */
async function scanUtf8(chunks: ByteChunks): Promise<Utf8Scan> {
  let offset = 0;
  let breaks = 0;
  let afterCr = false;
  let nul = false;
  let cut = new Uint8Array(0);
  const countBreaks = (bytes: Uint8Array, end: number) => {
    for (let i = 0; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte === 0x0d) breaks++;
      else if (byte === 0x0a && !afterCr) breaks++;
      afterCr = byte === 0x0d;
    }
  };
  for await (const chunk of chunks()) {
    const bytes = cut.length > 0 ? Buffer.concat([cut, chunk]) : chunk;
    if (!nul && bytes.includes(0)) nul = true;
    const problem = utf8ProblemIn(bytes, false);
    if (problem && !problem.cut) {
      countBreaks(bytes, problem.at);
      return { byteOffset: offset + problem.at, line: breaks + 1, byte: bytes[problem.at] as number };
    }
    const whole = problem ? problem.at : bytes.length;
    countBreaks(bytes, whole);
    cut = bytes.slice(whole);
    offset += whole;
  }
  if (cut.length > 0) return { byteOffset: offset, line: breaks + 1, byte: cut[0] as number };
  return nul ? 'nul' : 'valid';
}

/** Strict Shift_JIS that reads as Japanese text (text-file-encoding.ts), judged line by line. */
async function readsAsJapanese(chunks: ByteChunks): Promise<boolean> {
  const decoder = new TextDecoder('shift_jis', { fatal: true });
  const evidence = new ShiftJisEvidence();
  let unfinished = '';
  try {
    for await (const chunk of chunks()) {
      const text = unfinished + decoder.decode(chunk, { stream: true });
      const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
      evidence.add(text.slice(0, lastBreak + 1));
      unfinished = text.slice(lastBreak + 1);
    }
    evidence.add(unfinished + decoder.decode());
  } catch {
    return false;
  }
  return evidence.plausible;
}
