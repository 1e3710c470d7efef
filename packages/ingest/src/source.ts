import type { Readable } from 'node:stream';
import { Utf8Marker } from '@sobot/schema';
import { HEAD_BYTES } from './limits';
import { detectFileKind } from './file-kind';

export type RecipientInput = Readable | AsyncIterable<Buffer | string>;

/** The start of the input (decoded, BOM removed) and every chunk of it as UTF-8, the start included. */
export interface Source {
  /** `xlsx`: chunks are the workbook's bytes and head is empty. */
  kind: 'text' | 'xlsx';
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
    async function* rest(): AsyncGenerator<Buffer> {
      if (ended) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const chunk = toBuffer(next.value);
        if (chunk.length > 0) yield chunk;
      }
    }

    const kind = detectFileKind(first);
    if (kind.kind === 'xlsx') {
      return { kind: 'xlsx', head: '', empty: false, chunks: prepend(first, rest()), close };
    }
    if (kind.kind === 'utf16') {
      // Excel's "Unicode Text": transcoded to UTF-8 as it streams, so everything after reads one encoding.
      const decoder = new TextDecoder(kind.encoding);
      const head = decoder.decode(first, { stream: true });
      const tail = async function* (): AsyncGenerator<Buffer> {
        for await (const chunk of rest()) yield Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
        const end = decoder.decode();
        if (end) yield Buffer.from(end, 'utf8');
      };
      return {
        kind: 'text',
        head,
        empty: ended && head.trim() === '',
        chunks: prepend(Buffer.from(head), tail()),
        close,
      };
    }
    if (kind.bom) first = first.subarray(3);
    // Invalid sequences anywhere become a mark the row checks refuse (schema text-check.ts): the file is read on.
    const marker = new Utf8Marker();
    const start = marker.push(first);
    const marked = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of rest()) {
        const out = marker.push(chunk);
        if (out.length > 0) yield out;
      }
      const end = marker.end();
      if (end.length > 0) yield end;
    };
    const head = start.toString('utf8');
    return { kind: 'text', head, empty: ended && head.trim() === '', chunks: prepend(start, marked()), close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  yield* rest;
}

/** Whether `buf` holds a line with something on it, ended by a newline: enough to tell the format and delimiter. */
function hasFirstLine(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0) return buf.indexOf(0x0a, i) >= 0;
  }
  return false;
}

export function toBuffer(chunk: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`recipient input must yield Buffers or strings (got ${typeof chunk})`);
}
