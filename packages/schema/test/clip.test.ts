import fc from 'fast-check';
import { clip, clipBytes, clipList, ECHO_MAX, OUTSIDE_TEXT_MAX_BYTES } from '../src';

/** What a clipped text may add beyond `max` quoted characters: the ellipsis and the count. */
const SUFFIX_ROOM = 40;

describe('clip', () => {
  it('keeps a short text whole and cuts a long one to its first characters plus a count', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('x'.repeat(ECHO_MAX))).toBe('x'.repeat(ECHO_MAX));
    expect(clip('x'.repeat(ECHO_MAX + 5))).toBe(`${'x'.repeat(ECHO_MAX)}… (5 more characters)`);
  });

  it('never quotes more than max characters of the input, and what it quotes is the input’s start', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2_000 }), fc.integer({ min: 1, max: 500 }), (text, max) => {
        const out = clip(text, max);
        if (text.length <= max) return out === text;
        const quoted = out.slice(0, out.lastIndexOf('…'));
        return quoted.length <= max && text.startsWith(quoted) && out.length <= max + SUFFIX_ROOM;
      }),
    );
  });

  it('does not split a surrogate pair', () => {
    const out = clip(`${'a'.repeat(9)}😀tail`, 10);
    expect(out.startsWith(`${'a'.repeat(9)}…`)).toBe(true);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe('clipList', () => {
  it('lists every item of a short list', () => {
    expect(clipList(['"a"', '"b"'])).toBe('"a", "b"');
    expect(clipList([])).toBe('');
  });

  it('says how many items a long list left out, and stays short for any list', () => {
    const header = Array.from({ length: 400_000 }, (_, i) => `"c${i}"`);
    const out = clipList(header);
    expect(out.length).toBeLessThan(ECHO_MAX + SUFFIX_ROOM);
    expect(out).toMatch(/^"c0", "c1", .*, … \(\+\d+ more\)$/);
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 300 }),
        (items, max) => {
          const text = clipList(items, max);
          return text.length <= max + SUFFIX_ROOM && (text.includes('…') || text === items.join(', '));
        },
      ),
    );
  });
});
describe('clipBytes', () => {
  it('keeps a text within the budget as it is and cuts a longer one to at most the budget, on a code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), fc.integer({ min: 4, max: 1200 }), (text, max) => {
        const out = clipBytes(text, max);
        expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(Math.max(max, 0));
        if (Buffer.byteLength(text, 'utf8') <= max) expect(out).toBe(text);
        else {
          expect(out.endsWith('…')).toBe(true);
          expect(text.startsWith(out.slice(0, -1))).toBe(true);
          // Never a lone high surrogate at the cut.
          const last = out.charCodeAt(out.length - 2);
          if (out.length >= 2) expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
        }
      }),
    );
  });

  it('clips a megabyte to 1 KiB', () => {
    const out = clipBytes('é'.repeat(1_000_000));
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(OUTSIDE_TEXT_MAX_BYTES);
    expect(out.length).toBeGreaterThan(500);
  });
});
