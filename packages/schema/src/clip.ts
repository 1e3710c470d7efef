/**
 * How much of the caller's own input an error message or detail may quote. An error names what was wrong;
 * echoing a 400,000-column header or a megabyte of field value back only makes the answer (and the log) huge.
 */
export const ECHO_MAX = 200;

/** Cuts before a lone high surrogate so a clipped string stays valid UTF-16. */
function cut(text: string, at: number): string {
  const code = text.charCodeAt(at - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? at - 1 : at);
}

/** `text` itself when it has at most `max` characters, else its first `max` and how many more there were. */
export function clip(text: string, max = ECHO_MAX): string {
  if (text.length <= max) return text;
  return `${cut(text, max)}… (${text.length - max} more characters)`;
}

/**
 * Items joined with `separator` up to `max` characters, then how many items were left out. Never builds the
 * whole join, so a list of a million items costs no more than a list of ten.
 */
export function clipList(items: readonly string[], max = ECHO_MAX, separator = ', '): string {
  let out = '';
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i]!;
    if (i === 0 && item.length > max) {
      return `${cut(item, max)}…${items.length > 1 ? ` (+${items.length - 1} more)` : ''}`;
    }
    if (i > 0 && out.length + separator.length + item.length > max) {
      return `${out}${separator}… (+${items.length - i} more)`;
    }
    out += i === 0 ? item : `${separator}${item}`;
  }
  return out;
}

/** How many UTF-8 bytes of a text from outside (an upstream or webhook error message) the product stores. */
export const OUTSIDE_TEXT_MAX_BYTES = 1024;

/**
 * `text` itself when its UTF-8 form has at most `maxBytes` bytes, else the longest prefix (whole code points)
 * that fits with a trailing `…` within `maxBytes`. A megabyte of upstream error message costs 1 KiB to store.
 */
export function clipBytes(text: string, maxBytes = OUTSIDE_TEXT_MAX_BYTES): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - 3; // `…` is 3 bytes in UTF-8
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const cp = text.codePointAt(end)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    // A lone surrogate is written as U+FFFD (3 bytes) by Buffer.from.
    if (bytes + size > budget) break;
    bytes += size;
    end += cp > 0xffff ? 2 : 1;
  }
  return `${text.slice(0, end)}…`;
}
