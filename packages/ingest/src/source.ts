import type { Readable } from 'node:stream';
import { HEAD_BYTES } from './limits';
import { unparseable } from './errors';

export type RecipientInput = Readable | AsyncIterable<Buffer | string>;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The start of the input (BOM removed, checked to be UTF-8 text) and every chunk of it, the start included. */
export interface Source {
  /** At least the first line with any content, or all of the input when it is shorter than HEAD_BYTES. */
  head: string;
  /** True when the whole input is empty or whitespace. */
  empty: boolean;
  chunks: AsyncIterable<Buffer>;
  /** Stops reading: the input's iterator is returned, which destroys a Readable. */
  close(): Promise<void>;
}

export async function openSource(input: RecipientInput): Promise<Source> {
  const iterator: AsyncIterator<unknown> = input[Symbol.asyncIterator]();
  const close = async () => {
    await iterator.return?.();
  };
  try {
    let first = Buffer.alloc(0);
    let ended = false;
    while (first.length < HEAD_BYTES && !hasFirstLine(first)) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      first = Buffer.concat([first, toBuffer(next.value)]);
    }
    if (first.subarray(0, 3).equals(BOM)) first = first.subarray(3);
    const head = decodeText(first);

    async function* chunks(): AsyncGenerator<Buffer> {
      if (first.length > 0) yield first;
      if (ended) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const chunk = toBuffer(next.value);
        if (chunk.length > 0) yield chunk;
      }
    }
    return { head, empty: ended && head.trim() === '', chunks: chunks(), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Whether `buf` holds a line with something on it, ended by a newline: enough to tell the format and delimiter. */
function hasFirstLine(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return buf.indexOf(0x0a, i) >= 0;
  }
  return false;
}

function toBuffer(chunk: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`recipient input must yield Buffers or strings (got ${typeof chunk})`);
}

/**
 * Binary files and other encodings (UTF-16 has NUL bytes, Latin-1 has invalid sequences) are refused up front rather
 * than read as garbage rows. Only the start is checked: a file that starts as text is taken to be text.
 */
function decodeText(buf: Buffer): string {
  const nul = buf.indexOf(0);
  if (nul >= 0) throw unparseable(`not a text file: NUL byte at byte ${nul} (upload CSV, JSON or NDJSON as UTF-8)`);
  try {
    // stream: a multi-byte character cut at the end of the head is not an error.
    return new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: true });
  } catch {
    throw unparseable('not UTF-8 text: invalid byte sequence near the start of the file (save it as UTF-8)');
  }
}
