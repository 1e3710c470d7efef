/**
 * SPEC §17: a CSV report is plain RFC 4180 that a program reads back cell for cell (csv-parse, as pandas and
 * Python's csv would), with a leading `'` only on cells a spreadsheet would run as a formula; an xlsx report
 * has the same columns as text cells, a frozen header and a filter.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { REPORT_COLUMNS, type ReportRow } from '@sobot/schema';
import { csvLine, formatReport, formatRows, REPORT_CONTENT_TYPES } from '../src';

const DANGEROUS = /^[=+\-@\t\r]/;

async function bytesOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

const readCsv = (text: string): string[][] => parse(text, { bom: true, relax_column_count: true });

/** Cells as people and programs make them: anything, plus the characters CSV and spreadsheets treat specially. */
const cell = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc
    .array(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '\r\n', '"', ',', "'", ' ', '1', 'é', '🎉', ';'), {
      maxLength: 8,
    })
    .map((parts) => parts.join('')),
  fc.stringMatching(/^\+?\d{6,15}$/),
);

test('property: any row written then read back by csv-parse gives its cells, a dangerous start behind a quote', () => {
  fc.assert(
    fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 20 }), (rows) => {
      const read = readCsv(rows.map(csvLine).join(''));
      expect(read).toEqual(rows.map((r) => r.map((c) => (DANGEROUS.test(c) ? `'${c}` : c))));
      for (const r of read) for (const c of r) expect(c).not.toMatch(DANGEROUS);
    }),
    { numRuns: 500 },
  );
});

const row = (over: Partial<ReportRow> = {}): ReportRow => ({
  customer_number: '919970030001',
  customer_name: 'अनिता शर्मा',
  status: 'sent',
  wamid: 'wamid.HBgMOTE5OTcwMDMwMDAxFQIAERgSODQ1',
  error_code: '',
  error_message: '',
  attempts: 1,
  updated_at: '2026-12-08T00:00:00.000Z',
  delivery_status: 'delivered',
  ...over,
});

const rows = [
  row(),
  row({ customer_number: '6581234567', customer_name: '=HYPERLINK("http://x","y")', wamid: '', attempts: 3 }),
  row({ customer_number: '0099700', customer_name: '-5, "minus"', status: 'failed', error_code: '131026' }),
  row({ customer_number: '919970030004', customer_name: '+Plus\nline', error_message: '@bad\tcell' }),
];

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

test('the CSV report: BOM, plain digits for numbers and wamids, formula starts quoted, a record per row', async () => {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await bytesOf(formatReport(from(rows), 'csv')));
  expect(text.startsWith('\uFEFFcustomer_number,customer_name,status,wamid,')).toBe(true);
  expect(text).not.toContain('="');
  const [header, ...read] = readCsv(text);
  expect(header).toEqual([...REPORT_COLUMNS]);
  expect(read.map((r) => r[0])).toEqual(['919970030001', '6581234567', '0099700', '919970030004']);
  expect(read[0]?.[3]).toBe('wamid.HBgMOTE5OTcwMDMwMDAxFQIAERgSODQ1');
  expect(read.map((r) => r[1])).toEqual(['अनिता शर्मा', `'=HYPERLINK("http://x","y")`, `'-5, "minus"`, "'+Plus\nline"]);
  expect(read[3]?.[5]).toBe("'@bad\tcell");
  expect(read[1]?.[6]).toBe('3');
});

test('the xlsx report: same columns, numbers and wamids as text, frozen header, filter over every row', async () => {
  expect(REPORT_CONTENT_TYPES.xlsx).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const bytes = await bytesOf(formatReport(from(rows), 'xlsx'));
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  if (!sheet) throw new Error('no sheet');
  const values = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1);
  expect(values(1)).toEqual([...REPORT_COLUMNS]);
  rows.forEach((r, i) => {
    // Text cells hold the value as written (no `'`: a string cell is never a formula); attempts is a number.
    expect(values(i + 2)).toEqual(REPORT_COLUMNS.map((c) => (r[c] === '' ? undefined : r[c])));
  });
  expect(sheet.getCell('A2').type).toBe(ExcelJS.ValueType.String);
  expect(sheet.getCell('A2').numFmt).toBe('@');
  expect(sheet.getCell('D2').type).toBe(ExcelJS.ValueType.String);
  expect(sheet.getCell('G2').type).toBe(ExcelJS.ValueType.Number);
  expect(sheet.getColumn(1).width).toBe('customer_number'.length + 2);
  expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  expect(sheet.autoFilter).toBe('A1:I5');
});

test('an empty report is a header row only, in both spreadsheet formats', async () => {
  const csv = (await bytesOf(formatReport(from([]), 'csv'))).toString('utf8');
  expect(readCsv(csv)).toEqual([[...REPORT_COLUMNS]]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load((await bytesOf(formatRows(from([]), ['row', 'message'], 'xlsx'))) as unknown as ArrayBuffer);
  expect(book.worksheets[0]?.rowCount).toBe(1);
  expect((book.worksheets[0]?.getRow(1).values as unknown[]).slice(1)).toEqual(['row', 'message']);
});

test('an xlsx download the client abandons stops reading rows', async () => {
  let pulled = 0;
  async function* endless(): AsyncGenerator<ReportRow> {
    for (;;) {
      pulled += 1;
      yield row({ customer_number: String(919_970_000_000 + pulled) });
      if (pulled % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const stream = formatReport(endless(), 'xlsx');
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.destroy();
  const at = pulled;
  // Give the writer many turns of the event loop: it must not keep pulling rows for nobody.
  for (let i = 0; i < 200; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(pulled - at).toBeLessThanOrEqual(500);
});
