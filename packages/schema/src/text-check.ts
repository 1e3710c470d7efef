import { isUtf8 } from 'node:buffer';

/**
 * Invalid UTF-8 in an upload or a request body, found while it streams (docs/decisions.md, "Reading files"):
 * each chunk is checked with node's native `isUtf8` (the fast path: a valid chunk passes untouched); in a chunk that
 * is not valid, every invalid sequence (each maximal subpart, as the WHATWG decoder counts them) is replaced by
 * U+FDD0 before any parser decodes it. U+FDD0 is a Unicode noncharacter, kept for exactly this internal use: a
 * field whose text holds it had invalid bytes. Unlike U+FFFD after a lenient decode, it is never mistaken for a
 * U+FFFD the file really contains (EF BF BD is valid UTF-8 and passes).
 */
export const INVALID_UTF8_MARK = '\uFDD0';
const MARK_BYTES = Buffer.from(INVALID_UTF8_MARK, 'utf8');

/**
 * At `buf[i]`: n > 0 for a valid sequence of n bytes, -n for an invalid maximal subpart of n bytes, 0 for a sequence
 * that may be valid but runs past the end of `buf`.
 */
function sequenceAt(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return -1;
  for (let k = 1; k <= need; k++) {
    if (i + k >= buf.length) return 0;
    const b = buf[i + k]!;
    if (k === 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf) return -k;
  }
  return need + 1;
}

/** Where a possibly incomplete sequence at the end of `buf` starts (buf.length when there is none). */
function completeUpTo(buf: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= buf.length; back++) {
    const b = buf[buf.length - back]!;
    if (b < 0x80) return buf.length;
    if (b >= 0xc0) return sequenceAt(buf, buf.length - back) === 0 ? buf.length - back : buf.length;
  }
  return buf.length;
}

/** `buf` with each invalid sequence replaced by the mark; the same buffer when it is valid UTF-8. */
export function markInvalidUtf8(buf: Buffer): Buffer {
  if (isUtf8(buf)) return buf;
  const parts: Buffer[] = [];
  let from = 0;
  let i = 0;
  while (i < buf.length) {
    const n = sequenceAt(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > from) parts.push(buf.subarray(from, i));
    parts.push(MARK_BYTES);
    // A sequence cut by the end of the buffer is one invalid subpart.
    i += n === 0 ? buf.length - i : -n;
    from = i;
  }
  if (from < buf.length) parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/** markInvalidUtf8 over a stream of chunks: a character split between two chunks is kept whole. */
export class Utf8Marker {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = completeUpTo(buf);
    this.carry = end < buf.length ? Buffer.from(buf.subarray(end)) : Buffer.alloc(0);
    return markInvalidUtf8(end < buf.length ? buf.subarray(0, end) : buf);
  }

  /** What is left at the end of the input: a sequence the input cut off is invalid. */
  end(): Buffer {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return rest.length > 0 ? markInvalidUtf8(rest) : rest;
  }
}

/** Marks, NUL and lone surrogates (what a JSON `\ud800` escape makes): all rare, checked closer only when seen. */
const SUSPECT = /[\u0000\uD800-\uDFFF\uFDD0]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a text field cannot be sent, or undefined: it holds a NUL, or bytes that were not UTF-8 (the mark above), or
 * a lone surrogate (no UTF-8 can encode it: a JSON escape such as `\ud800`).
 */
export function textProblem(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'contains a NUL byte';
  if (text.includes(INVALID_UTF8_MARK) || LONE_SURROGATE.test(text)) return 'is not valid UTF-8';
  return undefined;
}
