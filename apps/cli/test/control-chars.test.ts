import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import fc from 'fast-check';
import { escapeControl, escapeControlDeep, escapeControlStream, safeJson } from '../src/control-chars';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Strings rich in control characters, among ordinary and multi-byte text. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('\r\n', '\t', ',', '"', 'é', '€', '😀'),
    fc.string({ maxLength: 3 }),
  ),
  maxLength: 40,
});

/** The report transform over `input` cut into the given chunks (bytes, so UTF-8 sequences get split). */
async function throughStream(input: string, cuts: number[]): Promise<string> {
  const bytes = Buffer.from(input, 'utf8');
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks = [0, ...at, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i ? ends[i - 1] : 0, end));
  return text(Readable.from(chunks.filter((c) => c.length > 0)).pipe(escapeControlStream()));
}

test('a field keeps no control character, and nothing else changes', () => {
  fc.assert(
    fc.property(hostile, (s) => {
      const out = escapeControl(s);
      expect(out).not.toMatch(CONTROL);
      // Undo the escapes: the original comes back (the escape is unambiguous for text without `\u00`).
      if (!s.includes('\\u00'))
        expect(out.replace(/\\u00([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))).toBe(s);
    }),
  );
  expect(escapeControl('a\u001b[31mb\u009bc\nd')).toBe('a\\u001b[31mb\\u009bc\\u000ad');
});

test('escapeControlDeep reaches every string of an answer; numbers, null and booleans stay', () => {
  const view = { name: 'x\u001b', n: 3, ok: true, none: null, list: [{ message: '\u009by' }] };
  expect(escapeControlDeep(view)).toEqual({
    name: 'x\\u001b',
    n: 3,
    ok: true,
    none: null,
    list: [{ message: '\\u009by' }],
  });
});

test('safeJson has no raw control character and parses back to the same data', () => {
  fc.assert(
    fc.property(fc.dictionary(hostile, fc.oneof(hostile, fc.integer(), fc.array(hostile))), (data) => {
      const out = safeJson(data, 2);
      expect(out.replace(/\n/g, '')).not.toMatch(CONTROL);
      expect(JSON.parse(out)).toEqual(data);
    }),
  );
});

test('the report stream: the same however it is chunked; only tab, LF and CRLF pass; NDJSON stays exact', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(hostile, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), async (rows, cuts) => {
      const csv = rows.map((r) => `"${r}"\r\n`).join('');
      const whole = await throughStream(csv, []);
      expect(await throughStream(csv, cuts)).toBe(whole);
      expect(whole.replace(/\r\n|[\t\n]/g, '')).not.toMatch(CONTROL);

      const ndjson = rows.map((r) => `${JSON.stringify({ customer_name: r })}\n`).join('');
      const lines = (await throughStream(ndjson, cuts)).split('\n').filter(Boolean);
      expect(lines.map((l) => (JSON.parse(l) as { customer_name: string }).customer_name)).toEqual(rows);
    }),
    { numRuns: 200 },
  );
  expect(await throughStream('a\rb\r\nc\u001b', [2])).toBe('a\\u000db\r\nc\\u001b');
});
