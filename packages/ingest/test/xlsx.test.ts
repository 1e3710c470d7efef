/**
 * .xlsx workbooks (SPEC §11, §20, §22): cells read as the sheet shows them, and workbooks that expand past their
 * limits, hold one huge cell or row, list their parts out of order or lie about their sizes refused with
 * WORKBOOK_TOO_LARGE (or as broken), nothing left in the temp directory on any path.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { workbookParts, zipOf } from '@sobot/devkit';
import { UPLOAD_TEMP_PREFIX, sweepUploadTempDirs, type IngestOptions } from '../src';
import { collect, failure } from './helpers';

const MIB = 2 ** 20;
const IMAGE = 'https://cdn.example.com/a.jpg';
let temp: string;

beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'xlsx-test-'));
});
afterEach(() => {
  // Every test ends with nothing of its upload left, however the read ended.
  expect(readdirSync(temp)).toEqual([]);
  rmSync(temp, { recursive: true, force: true });
});

/** Small limits, so that bombs stay small and fast. */
const options = (extra: Partial<Omit<IngestOptions, 'sink'>> = {}): Partial<Omit<IngestOptions, 'sink'>> => ({
  defaults: { image_url: IMAGE, caption: 'Hi {{name}}' },
  workbook: { limits: { expandedBytes: 8 * MIB, sharedStringsBytes: 2 * MIB }, tempDir: temp },
  ...extra,
});

async function* chunked(bytes: Buffer, size = 64 * 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const row = (r: number, ...cells: string[]) => `<row r="${r}">${cells.join('')}</row>`;
const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const shared = (ref: string, i: number) => `<c r="${ref}" t="s"><v>${i}</v></c>`;
const num = (ref: string, n: number) => `<c r="${ref}"><v>${n}</v></c>`;
/** 0 → A, 26 → AA. */
const columnName = (i: number): string =>
  (i >= 26 ? String.fromCharCode(64 + Math.floor(i / 26)) : '') + String.fromCharCode(65 + (i % 26));
const header = row(1, inline('A1', 'phone'), inline('B1', 'name'));

describe('cells as the sheet shows them', () => {
  it('renders dates, times, date-times, currency, percentages, thousands, fixed decimals by their format', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('List');
    sheet.addRow(['Phone', 'Name', 'Date', 'Time', 'When', 'Fee', 'Share', 'Count', 'Score', 'Short']);
    const formats = [
      '0',
      undefined,
      'dd-mm-yyyy',
      'h:mm AM/PM',
      'dd/mm/yyyy hh:mm',
      '"₹"#,##0.00',
      '0.0%',
      '#,##0',
      '0.00',
      'mm-dd-yy', // built-in id 14, Excel's locale short date
    ];
    const values = [
      [919970000001, 'Asha', new Date(Date.UTC(2024, 2, 1)), 0.75, new Date(Date.UTC(2024, 2, 1, 9, 30))],
      [919970000002, 'Bala', new Date(Date.UTC(1999, 11, 31)), 0.3125, new Date(Date.UTC(2025, 0, 15, 18, 5))],
    ];
    const more = [
      [1234.5, 0.125, 1234567, 7.5, 45352],
      [99, 1, 999, 0.125, 45658],
    ];
    values.forEach((v, i) => {
      const r = sheet.addRow([...v, ...more[i]!]);
      formats.forEach((f, c) => {
        if (f) r.getCell(c + 1).numFmt = f;
      });
    });
    // A phone cell shown with thousands separators keeps its digits.
    sheet.getRow(3).getCell(1).numFmt = '#,##0';
    const book = Buffer.from(await wb.xlsx.writeBuffer());

    const caption = '{{Name}}|{{Date}}|{{Time}}|{{When}}|{{Fee}}|{{Share}}|{{Count}}|{{Score}}|{{Short}}';
    const { messages } = await collect(chunked(book, 1000), options({ defaults: { image_url: IMAGE, caption } }));
    expect(messages.map((m) => [m.customer_number, m.caption])).toEqual([
      ['919970000001', 'Asha|01-03-2024|6:00 PM|01/03/2024 09:30|₹1,234.50|12.5%|1,234,567|7.50|1 Mar 2024'],
      ['919970000002', 'Bala|31-12-1999|7:30 AM|15/01/2025 18:05|₹99.00|100.0%|999|0.13|1 Jan 2025'],
    ]);
  });

  it('keeps every digit of a phone number stored as a number, whatever its format', async () => {
    const styles =
      '<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.00E+00"/></numFmts>' +
      '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="11"/><xf numFmtId="164"/></cellXfs></styleSheet>';
    const sheet =
      header +
      row(2, '<c r="A2" s="1"><v>919970000001</v></c>', inline('B2', 'A')) +
      row(3, '<c r="A3" s="2"><v>919970000002</v></c>', '<c r="B3" s="2"><v>919970000002</v></c>');
    const book = zipOf([...workbookParts(sheet), { name: 'xl/styles.xml', data: styles }]);
    const { messages } = await collect(book, options({ defaults: { image_url: IMAGE } }));
    expect(messages.map((m) => [m.customer_number, m.customer_name])).toEqual([
      ['919970000001', 'A'],
      ['919970000002', '9.20E+11'],
    ]);
  });
});

describe('properties', () => {
  const FORMATS = ['General', '0', '#,##0', '0.00', '0.00E+00', '@', 'dd-mm-yyyy', '"₹"#,##0.00', '0%'];
  const styles = (code: string) =>
    '<styleSheet><numFmts><numFmt numFmtId="164" formatCode="' +
    code.replace(/&/g, '&amp;').replace(/"/g, '&quot;') +
    '"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>';

  it('a phone column keeps the stored digits of any number, whatever its format', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(...FORMATS), async (k, code) => {
        const n = 919_000_000_000 + k; // +91 9xxxx xxxxx: Indian mobile numbers
        const sheet = header + row(2, `<c r="A2" s="1"><v>${n}</v></c>`, inline('B2', 'A'));
        const book = zipOf([...workbookParts(sheet), { name: 'xl/styles.xml', data: styles(code) }]);
        const { messages } = await collect(book, options({ defaults: { image_url: IMAGE } }));
        expect(messages.map((m) => m.customer_number)).toEqual([String(n)]);
      }),
      { numRuns: 40 },
    );
  });

  it('a workbook cut anywhere is refused as a workbook (never a crash), and leaves no temp file', async () => {
    const book = zipOf(workbookParts(header + row(2, num('A2', 919970000001), shared('B2', 0)), ['Asha', 'Bala']));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 30, max: book.length - 1 }), async (end) => {
        const err = await failure(collect(book.subarray(0, end), options()));
        expect(['UNPARSEABLE', 'NO_VALID_ROWS', 'NO_PHONE_COLUMN']).toContain(err.code);
        expect(readdirSync(temp)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('a workbook with bytes flipped is read or refused with a stable code, never a crash', async () => {
    const book = zipOf(workbookParts(header + row(2, num('A2', 919970000001), inline('B2', 'Asha'))));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: book.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          const bad = Buffer.from(book);
          for (const [at, byte] of flips) bad[at] = byte;
          try {
            await collect(bad, options());
          } catch (err) {
            expect(err).toHaveProperty('code');
            expect(typeof (err as { code: unknown }).code).toBe('string');
          }
          expect(readdirSync(temp)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('workbooks are bounded', () => {
  const tooLarge = async (book: Buffer, pattern: RegExp, extra = {}) => {
    const err = await failure(collect(chunked(book), options(extra)));
    expect(err.code).toBe('WORKBOOK_TOO_LARGE');
    expect(err.message).toMatch(pattern);
  };

  it('refuses shared strings past MAX_XLSX_SHARED_STRINGS, however small the zip', async () => {
    const strings = Array.from({ length: 3000 }, (_, i) => `${i}`.padEnd(1000, 'x'));
    const book = zipOf(workbookParts(header + row(2, num('A2', 919970000001), shared('B2', 0)), strings));
    expect(book.length).toBeLessThan(200 * 1024);
    await tooLarge(book, /shared strings .*MAX_XLSX_SHARED_STRINGS/);
  });

  it('refuses many empty shared strings by what they cost to keep', async () => {
    const strings = '<sst>' + '<si/>'.repeat(120_000) + '</sst>';
    const book = zipOf(workbookParts(header, strings));
    await tooLarge(book, /shared strings .*MAX_XLSX_SHARED_STRINGS/, {
      workbook: { limits: { expandedBytes: 8 * MIB, sharedStringsBytes: MIB }, tempDir: temp },
    });
  });

  it('refuses a workbook that expands past MAX_XLSX_EXPANDED_BYTES, counting as it inflates', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) =>
      row(i + 2, num(`A${i + 2}`, 919970000000 + (i % 1000)), inline(`B${i + 2}`, 'Name')),
    ).join('');
    await tooLarge(zipOf(workbookParts(header + rows)), /expands to more than 8 MiB \(MAX_XLSX_EXPANDED_BYTES\)/);
  });

  it('refuses a part whose headers declare more than the limit, before inflating it', async () => {
    const parts = workbookParts(header);
    parts[parts.length - 1]!.declaredSize = 64 * MIB;
    await tooLarge(zipOf(parts), /declares more than|MAX_XLSX_EXPANDED_BYTES/);
  });

  it('refuses a part that expands past the size its headers declare as a broken workbook', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => row(i + 2, num(`A${i + 2}`, 919970000000 + i))).join('');
    const parts = workbookParts(header + rows);
    parts[parts.length - 1]!.declaredSize = 1000;
    const err = await failure(collect(zipOf(parts), options()));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(/not a readable \.xlsx workbook/);
  });

  it('refuses one huge cell, inline or shared', async () => {
    const big = 'x'.repeat(MIB + 10);
    await tooLarge(
      zipOf(workbookParts(header + row(2, num('A2', 919970000001), inline('B2', big)))),
      /line 2: a cell holds more than 1 MiB/,
    );
    await tooLarge(
      zipOf(workbookParts(header + row(2, num('A2', 919970000001), shared('B2', 0)), [big])),
      /a shared string holds more than 1 MiB/,
    );
  });

  it('refuses a text node or a tag too long to hold before it is parsed', async () => {
    const run = 'y'.repeat(9 * MIB);
    await tooLarge(
      zipOf(workbookParts(header + row(2, num('A2', 919970000001), inline('B2', run)))),
      /holds a cell or tag over 8 MiB/,
      { workbook: { limits: { expandedBytes: 64 * MIB, sharedStringsBytes: MIB }, tempDir: temp } },
    );
  });

  it('refuses a huge row of cells each small', async () => {
    const cells = Array.from({ length: 40 }, (_, i) => inline(`${columnName(i + 2)}2`, 'z'.repeat(30_000)));
    await tooLarge(
      zipOf(workbookParts(header + row(2, num('A2', 919970000001), ...cells))),
      /line 2: the row holds more than 1 MiB/,
    );
  });

  it('reads a workbook whose sheet is stored before the workbook part, without waiting on it', async () => {
    const parts = workbookParts(
      header + row(2, num('A2', 919970000001), shared('B2', 1)) + row(3, num('A3', 919970000002), shared('B3', 0)),
      ['Bala', 'Asha'],
    );
    const sheet = parts.pop()!;
    const book = zipOf([sheet, ...parts.reverse()]);
    const { messages } = await collect(chunked(book, 100), options());
    expect(messages.map((m) => [m.customer_number, m.caption])).toEqual([
      ['919970000001', 'Hi Asha'],
      ['919970000002', 'Hi Bala'],
    ]);
  });

  it('refuses a workbook without a worksheet, naming what is missing', async () => {
    const parts = workbookParts(header).filter((p) => !p.name.startsWith('xl/worksheets/'));
    const err = await failure(collect(zipOf(parts), options()));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toBe('this .xlsx workbook has no worksheet');
  });

  it('refuses a cell past column XFD', async () => {
    const err = await failure(
      collect(zipOf(workbookParts(header + row(2, num('A2', 919970000001), inline('ZZZZZ2', 'far')))), options()),
    );
    expect(err.code).toBe('UNPARSEABLE');
  });
});

describe('temp files', () => {
  const good = () =>
    zipOf(
      workbookParts(
        header +
          row(2, num('A2', 919970000001), inline('B2', 'Asha')) +
          row(3, num('A3', 919970000002), inline('B3', 'Bala')),
      ),
    );

  it('leaves nothing after a read that succeeds', async () => {
    expect((await collect(good(), options())).messages).toHaveLength(2);
  });

  it('leaves nothing when the client goes away mid-upload', async () => {
    const book = good();
    async function* cut(): AsyncGenerator<Buffer> {
      yield book.subarray(0, 200);
      throw new Error('aborted');
    }
    await expect(collect(cut(), options())).rejects.toThrow('aborted');
  });

  it('leaves nothing when the file is refused for an ambiguous phone column', async () => {
    const book = zipOf(
      workbookParts(
        row(1, inline('A1', 'Mobile'), inline('B1', 'Customer Number')) + row(2, num('A2', 1), num('B2', 2)),
      ),
    );
    expect((await failure(collect(book, options()))).code).toBe('AMBIGUOUS_PHONE_COLUMN');
  });

  it('leaves nothing when the sink fails', async () => {
    const { ingestRecipients } = await import('../src');
    const { Readable } = await import('node:stream');
    await expect(
      ingestRecipients(Readable.from([good()]), {
        format: 'auto',
        defaults: { image_url: IMAGE },
        workbook: { tempDir: temp },
        sink: () => Promise.reject(new Error('redis went away')),
      }),
    ).rejects.toThrow('redis went away');
  });

  it('leaves nothing after a bomb or a broken zip', async () => {
    const broken = good().subarray(0, 400);
    expect((await failure(collect(broken, options()))).code).toBe('UNPARSEABLE');
  });

  it('sweeps what a killed process left, keeping what is newer than the process', async () => {
    const old = join(temp, `${UPLOAD_TEMP_PREFIX}old`);
    const fresh = join(temp, `${UPLOAD_TEMP_PREFIX}fresh`);
    const other = join(temp, 'someone-else');
    for (const dir of [old, fresh, other]) mkdirSync(dir);
    const started = Date.now() - 60_000;
    utimesSync(old, new Date(started - 3600_000), new Date(started - 3600_000));
    utimesSync(other, new Date(started - 3600_000), new Date(started - 3600_000));
    expect(await sweepUploadTempDirs(temp, started)).toBe(1);
    expect(readdirSync(temp).sort()).toEqual([`${UPLOAD_TEMP_PREFIX}fresh`, 'someone-else']);
    rmSync(fresh, { recursive: true });
    rmSync(other, { recursive: true });
  });
});
