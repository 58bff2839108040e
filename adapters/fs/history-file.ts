/**
 * Reads a newline-delimited JSON file (a history file, a Pinpoint endpoint export) as a stream of
 * numbered lines: gzip is recognised by its magic bytes (1f 8b), whatever the file is named, and
 * concatenated gzip members (as S3 / Firehose parts are often joined) are read through. Lines end in
 * LF or CRLF; a UTF-8 byte order mark is dropped. node:readline pauses the file while the consumer
 * works on a batch, so memory does not grow with the file.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface NumberedLine {
  /** 1-based, as an editor shows it. */
  line: number;
  text: string;
}

/** The file cannot be read at all; the message names it and why. */
export class HistoryFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryFileError';
  }
}

/** Opens the file (throwing HistoryFileError before any line is read when it cannot be) and returns its lines. */
export async function openLineFile(path: string): Promise<{ gzipped: boolean; lines: AsyncIterable<NumberedLine> }> {
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new HistoryFileError(`${path}: cannot read it: ${why}`);
  }
  const gzipped = head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
  return { gzipped, lines: readLines(path, gzipped) };
}

async function* readLines(path: string, gzipped: boolean): AsyncGenerator<NumberedLine> {
  const file = createReadStream(path);
  let input: Readable = file;
  if (gzipped) {
    const gunzip = createGunzip();
    file.on('error', (error) => gunzip.destroy(error));
    input = file.pipe(gunzip);
  }
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of reader) {
      line++;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
    }
  } catch (error) {
    throw new HistoryFileError(`${path}: stopped reading after line ${line}: ${(error as Error).message}${gzipped ? ' (is the gzip file complete?)' : ''}`);
  } finally {
    reader.close();
    input.destroy();
    file.destroy();
  }
}
