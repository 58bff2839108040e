/**
 * The bytes of a text file a person exported (a CRM or Excel CSV) to a string, without mojibake.
 * A byte-order mark decides (UTF-8, UTF-16 LE/BE: Excel's "Unicode text"); otherwise strict UTF-8;
 * otherwise Shift_JIS (CP932, Excel in Japan) when the bytes read as Japanese text; otherwise the
 * file is refused with where the first byte that is not UTF-8 is. A caller can force an encoding.
 * Decoding is always strict (`fatal`): a replaced byte would be a name silently imported wrong.
 */

/** How the encoding was chosen, for telling the person importing which one was used. */
export type EncodingChoice = 'utf-8' | 'byte-order mark' | 'detected' | 'forced';

export interface DecodedText {
  text: string;
  /** WHATWG name as TextDecoder reports it: utf-8, utf-16le, utf-16be, shift_jis, ... */
  encoding: string;
  choice: EncodingChoice;
}

export interface UndecodableDetail {
  encoding: string;
  /** Offset of the first byte that does not decode, when it is known (UTF-8). */
  byteOffset?: number;
  /** 1-based line of that byte. */
  line?: number;
  byte?: number;
}

export class TextEncodingError extends Error {
  constructor(
    message: string,
    readonly detail?: UndecodableDetail,
  ) {
    super(message);
    this.name = 'TextEncodingError';
  }
}

/** Labels people type that the WHATWG Encoding Standard does not know, to the name it does. */
const ENCODING_ALIASES: Record<string, string> = { cp932: 'shift_jis', 'ms-932': 'shift_jis', utf8: 'utf-8', utf16le: 'utf-16le', utf16be: 'utf-16be' };

export const BOMS: Array<{ bytes: number[]; encoding: string }> = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/**
 * Resolves an encoding label (`shift_jis`, `cp932`, `utf-16le`, ...) to the name TextDecoder uses.
 * @throws TextEncodingError for a label no decoder knows.
 */
export function resolveEncoding(label: string): string {
  const wanted = ENCODING_ALIASES[label.trim().toLowerCase()] ?? label.trim();
  try {
    return new TextDecoder(wanted).encoding;
  } catch {
    throw new TextEncodingError(`unknown encoding '${label}': use utf-8, shift_jis (also cp932), utf-16le, utf-16be or euc-jp`);
  }
}

/**
 * Decodes a file's bytes. `forced` (a label) skips detection; it is still strict.
 * @throws TextEncodingError when the bytes are not text in the chosen or any detectable encoding.
 */
export function decodeTextFile(bytes: Uint8Array, forced?: string): DecodedText {
  if (forced !== undefined) {
    const encoding = resolveEncoding(forced);
    return { text: decodeStrict(bytes, encoding), encoding, choice: 'forced' };
  }
  const bom = BOMS.find((candidate) => candidate.bytes.every((byte, i) => bytes[i] === byte));
  if (bom) return { text: decodeStrict(bytes, bom.encoding), encoding: bom.encoding, choice: 'byte-order mark' };

  const invalidAt = firstInvalidUtf8Byte(bytes);
  if (invalidAt < 0) {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // UTF-16 without a byte-order mark is valid UTF-8 byte for byte (ASCII with a NUL after each).
    if (text.includes('\0')) throw utf16WithoutBom();
    return { text, encoding: 'utf-8', choice: 'utf-8' };
  }
  const japanese = readAsShiftJis(bytes);
  if (japanese !== undefined) return { text: japanese, encoding: 'shift_jis', choice: 'detected' };
  throw notUtf8({ byteOffset: invalidAt, line: lineOfByte(bytes, invalidAt), byte: bytes[invalidAt] as number }, true);
}

export function utf16WithoutBom(): TextEncodingError {
  return new TextEncodingError('contains NUL bytes: it looks like UTF-16 text without a byte-order mark', { encoding: 'utf-8' });
}

/** The refusal of bytes that are not UTF-8, naming the first bad byte; `notShiftJisEither` when detection also tried Shift_JIS. */
export function notUtf8(at: { byteOffset: number; line: number; byte: number }, notShiftJisEither: boolean): TextEncodingError {
  const either = notShiftJisEither ? ', and the file does not read as Shift_JIS Japanese text either' : '';
  return new TextEncodingError(`not UTF-8: byte 0x${at.byte.toString(16).padStart(2, '0')} at line ${at.line} (byte offset ${at.byteOffset}) is not valid UTF-8${either}`, {
    encoding: 'utf-8',
    ...at,
  });
}

export function notValidIn(encoding: string): TextEncodingError {
  return new TextEncodingError(`not valid ${encoding}: some bytes do not decode in that encoding`, { encoding });
}

function decodeStrict(bytes: Uint8Array, encoding: string): string {
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  try {
    // TextDecoder drops a leading byte-order mark of its own encoding (ignoreBOM defaults to false).
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    if (encoding === 'utf-8') {
      const at = Math.max(firstInvalidUtf8Byte(bytes), 0);
      throw notUtf8({ byteOffset: at, line: lineOfByte(bytes, at), byte: bytes[at] as number }, false);
    }
    throw notValidIn(encoding);
  }
}

/** What windows-1252 (also the label latin1 / iso-8859-1) maps 0x80..0x9F to, per the WHATWG index. */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/**
 * Node 20.18.3+ decodes windows-1252 as Latin-1 (0x92 becomes U+0092, not ’: nodejs/node#56542,
 * #60888), which would import Western-European smart quotes and € as control characters.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  for (let start = 0; start < bytes.length; start += 8192) {
    const codes = Array.from(bytes.subarray(start, start + 8192), (byte) => (byte >= 0x80 && byte < 0xa0 ? (WINDOWS_1252_C1[byte - 0x80] as number) : byte));
    text += String.fromCharCode(...codes);
  }
  return text;
}

/** CJK ideographs, full-width kana, CJK punctuation and full-width forms (not half-width katakana: see below). */
const CJK = '\\u3000-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff01-\\uff60';
/** Full-width hiragana or katakana: real Japanese text has them; misread Latin-1 almost never does. */
const KANA = /[\u3041-\u30ff]/;
/** Two or more CJK characters not touching a Latin letter: a Japanese word (佐藤, 株式会社). */
const JAPANESE_WORD = new RegExp(`(?<![A-Za-z])[${CJK}]{2,}(?![A-Za-z])`);
/** One or two CJK characters inside a Latin word (`H駘鈩e` for Hélène): the mark of misread Latin-1. */
const INSIDE_LATIN_WORD = new RegExp(`[A-Za-z][${CJK}]{1,2}[A-Za-z]`);

/**
 * The Shift_JIS reading of bytes that are not UTF-8, only when it is plausibly Japanese text.
 * Strict decoding alone is not enough: Latin-1 / Windows-1252 text often decodes without error
 * (`Hélène` reads as `H駘鈩e`, `Kobe’s` as `Kobe痴`, `©` as the half-width katakana `ｩ`). So the
 * text must show Japanese on its own terms (kana, or a word of two or more ideographs) and no
 * ideographs inside Latin words; the user-defined area (U+E000..U+F8FF) and U+0080 refuse too.
 * `IT部` or `ABC社` stay readable (the ideograph ends the word). Anything else is refused, not guessed:
 * `--encoding shift_jis` overrides.
 */
function readAsShiftJis(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const evidence = new ShiftJisEvidence();
  evidence.add(text);
  return evidence.plausible ? text : undefined;
}

/**
 * The test of readAsShiftJis over text given in parts (a file read as a stream). Each part must
 * end at a line break: none of the patterns spans one, so the verdict is the whole text's.
 */
export class ShiftJisEvidence {
  private japanese = false;
  private refused = false;

  add(text: string): void {
    if (this.refused) return;
    if (!this.japanese && (KANA.test(text) || JAPANESE_WORD.test(text))) this.japanese = true;
    if (/[\u0080\ue000-\uf8ff]/.test(text) || INSIDE_LATIN_WORD.test(text)) this.refused = true;
  }

  get plausible(): boolean {
    return this.japanese && !this.refused;
  }
}

/**
 * Offset of the first byte that is not part of well-formed UTF-8, or -1. Uses the WHATWG decoder's
 * byte ranges (no overlongs, no surrogates, nothing above U+10FFFF) so it agrees with TextDecoder.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  return utf8ProblemIn(bytes, true)?.at ?? -1;
}

/**
 * Where well-formed UTF-8 stops in `bytes`: `cut` when a sequence is merely cut short by the end
 * and more bytes follow (`final` false: a chunk of a stream), else the first invalid byte.
 */
export function utf8ProblemIn(bytes: Uint8Array, final: boolean): { at: number; cut: boolean } | undefined {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let following: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) following = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      following = 2;
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      following = 3;
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    } else return { at: i, cut: false };
    for (let k = 1; k <= following; k++) {
      const byte = bytes[i + k];
      if (byte === undefined) return { at: i, cut: !final };
      if (byte < (k === 1 ? lower : 0x80) || byte > (k === 1 ? upper : 0xbf)) return { at: i, cut: false };
    }
    i += following + 1;
  }
  return undefined;
}

/** 1-based line of a byte in an ASCII-compatible file, counting LF, CRLF and a lone CR each as one break. */
export function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  }
  return line;
}
