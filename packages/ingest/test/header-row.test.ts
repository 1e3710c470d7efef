/**
 * The header row (issue 24): found in the first HEADER_SEARCH_LINES lines of a CSV or sheet (the first line with a
 * phone column), or the line `headerRow` names; lines above it are titles, never data; the summary says which
 * line was used (`header_row`), and rows keep the line a spreadsheet shows.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { HEADER_SEARCH_LINES } from '../src';
import { collect, failure } from './helpers';

const IMAGE = 'https://cdn.example.com/a.jpg';
const opts = { defaults: { image_url: IMAGE } };

describe('CSV', () => {
  it('passes over title lines above the header and counts lines as a spreadsheet does', async () => {
    const { summary, messages } = await collect(
      ['Customer export', 'March 2026,,', 'phone,name', '919970000001,Ann', '12,Bad', '919970000002,Bo', ''].join('\n'),
      opts,
    );
    expect(summary.header_row).toBe(3);
    expect(summary).toMatchObject({ total: 3, accepted: 2, rejected: 1, columns: { customer_number: 'phone' } });
    expect(summary.errors).toEqual([expect.objectContaining({ row: 2, line: 5, field: 'customer_number' })]);
    expect(messages.map((m) => m.customer_name)).toEqual(['Ann', 'Bo']);
  });

  it('says header_row 1 for a plain file', async () => {
    const { summary } = await collect('phone,name\n919970000001,Ann\n', opts);
    expect(summary.header_row).toBe(1);
  });

  it('finds the header of a semicolon file under a title line without a delimiter', async () => {
    const { summary, messages } = await collect('Kunden\nTelefon;Mobile Number;Name\nx;919970000001;Ann\n', {
      ...opts,
      phoneColumn: 'Mobile Number',
    });
    expect(summary.header_row).toBe(2);
    expect(messages).toEqual([expect.objectContaining({ customer_number: '919970000001', customer_name: 'Ann' })]);
  });

  it('takes the line headerRow names, even when a line above looks like a header', async () => {
    const text = ['phone,mobile', 'List of 2026', 'phone,name', '919970000001,Ann'].join('\n');
    expect((await failure(collect(text, opts))).code).toBe('AMBIGUOUS_PHONE_COLUMN');
    const { summary } = await collect(text, { ...opts, headerRow: 3 });
    expect(summary).toMatchObject({ header_row: 3, total: 1, accepted: 1 });
  });

  it(`refuses a file with no phone column in its first ${HEADER_SEARCH_LINES} lines, saying header_row`, async () => {
    const titles = Array.from({ length: HEADER_SEARCH_LINES }, (_, i) => `title ${i + 1}`);
    const text = [...titles, 'phone,name', '919970000001,Ann'].join('\n');
    const err = await failure(collect(text, opts));
    expect(err.code).toBe('NO_PHONE_COLUMN');
    expect(err.message).toContain('header_row=');
    expect(err.message).toContain('"title 1"');
    const { summary } = await collect(text, { ...opts, headerRow: HEADER_SEARCH_LINES + 1 });
    expect(summary).toMatchObject({ header_row: HEADER_SEARCH_LINES + 1, accepted: 1 });
  });

  it('refuses a headerRow past the end, and one naming a line without a phone column', async () => {
    const text = 'phone,name\n919970000001,Ann\n';
    expect((await failure(collect(text, { ...opts, headerRow: 9 }))).message).toContain('ends before line 9');
    expect((await failure(collect(text, { ...opts, headerRow: 2 }))).code).toBe('NO_PHONE_COLUMN');
  });

  it('a short file with no header at all is still NO_PHONE_COLUMN, nothing taken', async () => {
    const err = await failure(collect('919970000001\n919970000002\n', opts));
    expect(err.code).toBe('NO_PHONE_COLUMN');
  });

  it('property: any title lines above the header are passed over and every line stays right', async () => {
    const title = fc
      .string({ unit: fc.constantFrom(...'abcdefghijklm xyz'), maxLength: 20 })
      // A title is not a header; "mobile" etc. cannot be spelled from these letters alone but keep it sure.
      .filter((t) => !/phone|mobile|cell|number|whatsapp|msisdn/i.test(t));
    await fc.assert(
      fc.asyncProperty(
        fc.array(title, { maxLength: HEADER_SEARCH_LINES - 1 }),
        fc.integer({ min: 1, max: 5 }),
        async (titles, n) => {
          const data = Array.from({ length: n }, (_, i) => `9199700000${String(i).padStart(2, '0')},P${i}`);
          const { summary, rows } = await collect([...titles, 'phone,name', ...data].join('\n'), opts);
          expect(summary.header_row).toBe(titles.length + 1);
          expect(summary.total).toBe(n);
          expect(rows).toEqual(data.map((_, i) => i + 1));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('.xlsx', () => {
  async function book(rows: unknown[][]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Export');
    for (const r of rows) sheet.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it('reads a workbook whose header is on row 3 under a title', async () => {
    const bytes = await book([
      ['Customers, March 2026'],
      [],
      ['Name', 'WhatsApp Number'],
      ['Ann', '919970000001'],
      ['Bad', '12'],
    ]);
    const { summary, messages } = await collect(bytes, opts);
    expect(summary.header_row).toBe(3);
    expect(summary).toMatchObject({ total: 2, accepted: 1, rejected: 1 });
    expect(summary.errors).toEqual([expect.objectContaining({ row: 2, line: 5 })]);
    expect(messages[0]).toMatchObject({ customer_number: '919970000001', customer_name: 'Ann' });
  });
});
