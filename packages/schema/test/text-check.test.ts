import fc from 'fast-check';
import { INVALID_UTF8_MARK, Utf8Marker, markInvalidUtf8, textProblem } from '../src';

/** Bytes that are never valid UTF-8 wherever they stand. */
const NEVER_VALID = [0xc0, 0xc1, 0xf5, 0xf8, 0xfe, 0xff];

/** The marker over `buf` cut at `cuts`, decoded. */
function streamed(buf: Buffer, cuts: number[]): string {
  const marker = new Utf8Marker();
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, buf.length]) {
    out.push(marker.push(buf.subarray(from, c)));
    from = c;
  }
  out.push(marker.end());
  return Buffer.concat(out).toString('utf8');
}

/** What the WHATWG decoder makes of `buf`, with the mark where it puts U+FFFD. */
function reference(buf: Buffer): string {
  return new TextDecoder('utf-8').decode(buf).replaceAll('\uFFFD', INVALID_UTF8_MARK);
}

describe('invalid UTF-8 while streaming', () => {
  it('passes valid UTF-8 untouched (a real U+FFFD included), however it is cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.nat()), (text, cuts) => {
        const buf = Buffer.from(`${text}\uFFFD${text}`, 'utf8');
        expect(markInvalidUtf8(buf)).toBe(buf);
        expect(streamed(buf, cuts)).toBe(buf.toString('utf8'));
        expect(textProblem(streamed(buf, cuts).replaceAll('\u0000', ''))).toBeUndefined();
      }),
    );
  });

  it('marks each invalid sequence where the WHATWG decoder puts U+FFFD, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat()), (bytes, cuts) => {
        const buf = Buffer.from(bytes);
        // Only where the input had no U+FFFD of its own can the two be compared character for character.
        fc.pre(!buf.toString('utf8').includes(INVALID_UTF8_MARK) && !buf.includes(Buffer.from('\uFFFD')));
        expect(streamed(buf, cuts)).toBe(reference(buf));
      }),
    );
  });

  it('finds any invalid byte in a field, and never flags a valid one', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom(...NEVER_VALID),
        fc.string({ unit: 'grapheme' }),
        (a, bad, b) => {
          fc.pre(!`${a}${b}`.includes('\u0000') && !`${a}${b}`.includes(INVALID_UTF8_MARK));
          const buf = Buffer.concat([Buffer.from(a), Buffer.from([bad]), Buffer.from(b)]);
          expect(textProblem(markInvalidUtf8(buf).toString('utf8'))).toBe('is not valid UTF-8');
          expect(textProblem(`${a}\uFFFD${b}`)).toBeUndefined();
        },
      ),
    );
  });

  it('names a NUL, and a lone surrogate (a JSON \\ud800 escape) as not UTF-8', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(textProblem(`${a}\u0000${b}`)).toBe('contains a NUL byte');
      }),
    );
    expect(textProblem('Zo\uD800e')).toBe('is not valid UTF-8');
    expect(textProblem('Zo\uDC00e')).toBe('is not valid UTF-8');
    expect(textProblem('emoji \uD83D\uDE00 fine')).toBeUndefined();
    expect(textProblem('ok')).toBeUndefined();
  });

  it('marks a sequence the input cuts off at its end', () => {
    const marker = new Utf8Marker();
    const out = Buffer.concat([marker.push(Buffer.from([0x41, 0xe2, 0x82])), marker.end()]).toString('utf8');
    expect(out).toBe(`A${INVALID_UTF8_MARK}`);
  });
});
