/**
 * SPEC §11 with the files people have: Excel and CRM exports, made here byte for byte (CRLF + BOM, semicolons,
 * UTF-16 "Unicode Text", .xlsx workbooks, binaries), numbers mangled the ways spreadsheets mangle them.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { collect, failure, pieces } from './helpers';

const crlfBom = (...lines: string[]) => `\uFEFF${lines.join('\r\n')}\r\n`;
const INDIA = { validation: { defaultCountryCode: '91' } };

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function xlsx(rows: unknown[][], extraSheet = false): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Recipients');
  for (const row of rows) sheet.addRow(row);
  if (extraSheet) wb.addWorksheet('Other').addRow(['phone', 'name']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('numbers as Excel and CRMs export them', () => {
  const file = crlfBom(
    'Phone Number,Customer Name',
    '919970000022.0,Float from Excel', // line 2: the whole number
    '919970000702.5,Decimal', // 3
    '9.19970E+11,Scientific', // 4
    "'919970000033,Apostrophe", // 5
    '',
    '919970000044 / 919970000045,Two numbers', // 7
    '910000000000,Outside the plan', // 8
    '"919970000055","Name on',
    'two lines"', // 9–10
    '09970000066,National with trunk 0', // 11
  );

  it('sends only numbers that were in the cells, and says what Excel did to the others', async () => {
    const { summary, messages } = await collect(file, INDIA);
    expect(messages.map((m) => m.customer_number)).toEqual(['919970000022', '919970000055', '919970000066']);
    expect(summary.columns).toMatchObject({ customer_number: 'Phone Number', customer_name: 'Customer Name' });
    expect(summary.errors).toEqual([
      { row: 2, line: 3, field: 'customer_number', message: expect.stringContaining('decimal part') },
      { row: 3, line: 4, field: 'customer_number', message: expect.stringContaining('Excel turned this number into') },
      { row: 4, line: 5, field: 'customer_number', message: expect.stringContaining('apostrophe') },
      { row: 5, line: 7, field: 'customer_number', message: expect.stringContaining('more than one number') },
      { row: 6, line: 8, field: 'customer_number', message: expect.stringContaining('India (IN)') },
    ]);
  });

  it('gives the same lines whatever the chunk boundaries', async () => {
    const whole = await collect(file, INDIA);
    for (const size of [1, 7, 64]) expect((await collect(pieces(file, size), INDIA)).summary).toEqual(whole.summary);
  });

  it('reads JSON numbers by the same rules, and refuses one that lost digits', async () => {
    const text = `[{"phone": 919970000022.0, "name": "A"}, {"phone": 919970000702.5, "name": "B"},
      {"phone": 91997000000000001234, "name": "C"}, {"phone": 9007199254740993, "name": "D"}]`;
    const { summary, messages } = await collect(text);
    expect(messages.map((m) => m.customer_number)).toEqual(['919970000022']);
    expect(summary.errors.map((e) => [e.row, e.message])).toEqual([
      [2, expect.stringContaining('decimal part')],
      [3, expect.stringContaining('above 2^53')],
      [4, expect.stringContaining('above 2^53')],
    ]);
  });
});

describe('the right column', () => {
  it.each(['Phone Number', 'Mobile No.', 'WhatsApp Number', 'WhatsApp', 'Contact Number', 'Contact', 'Cell'])(
    'takes %p as the phone column',
    async (header) => {
      const { summary, messages } = await collect(`${header};Name\n919970000001;A\n`);
      expect(messages.map((m) => m.customer_number)).toEqual(['919970000001']);
      expect(summary.columns?.customer_number).toBe(header);
    },
  );

  const crm = crlfBom(
    'Customer Number,Customer Name,Mobile',
    '100045678,Asha,919970000001',
    '100045679,Bala,919970000002',
  );

  it('refuses a file where two columns could be the phone, naming both', async () => {
    const err = await failure(collect(crm));
    expect(err.code).toBe('AMBIGUOUS_PHONE_COLUMN');
    expect(err.message).toContain('"Customer Number" and "Mobile"');
    expect(err.details).toEqual({ candidates: ['Customer Number', 'Mobile'] });
  });

  it('takes the column phone_column names, and says which it used', async () => {
    const { summary, messages } = await collect(crm, { phoneColumn: 'mobile' });
    expect(messages.map((m) => [m.customer_number, m.customer_name])).toEqual([
      ['919970000001', 'Asha'],
      ['919970000002', 'Bala'],
    ]);
    expect(summary.columns).toEqual({
      customer_number: 'Mobile',
      customer_name: 'Customer Name',
      url: null,
      mime_type: null,
      caption: null,
      timezone: null,
    });
  });

  it('takes name_column, and refuses a column the file does not have', async () => {
    const text = 'phone,Name,Nickname\n919970000001,Asha Rao,Ash\n';
    expect((await collect(text, { nameColumn: 'Nickname' })).messages[0]?.customer_name).toBe('Ash');
    const err = await failure(collect(text, { phoneColumn: 'Mobile' }));
    expect(err.code).toBe('UNKNOWN_COLUMN');
    expect(err.message).toContain('"Mobile"');
  });

  it('refuses a JSON object with two phone keys unless phone_column says which', async () => {
    const text = JSON.stringify([{ 'Customer Number': '100045678', Mobile: '919970000001', name: 'A' }]);
    expect((await failure(collect(text))).code).toBe('AMBIGUOUS_PHONE_COLUMN');
    expect((await collect(text, { phoneColumn: 'Mobile' })).messages[0]?.customer_number).toBe('919970000001');
  });
});

describe('the files people have', () => {
  const rows = ['customer_number\tcustomer_name', '919970000001\tअनिता शर्मा', '919970000002\tمحمد 🎉', ''];

  it.each([
    [
      'UTF-16 LE with BOM (Excel "Unicode Text")',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows.join('\r\n'), 'utf16le')]),
    ],
    ['UTF-16 LE without BOM', Buffer.from(rows.join('\r\n'), 'utf16le')],
    ['UTF-16 BE with BOM', Buffer.from(Buffer.from(`\uFEFF${rows.join('\n')}`, 'utf16le').swap16())],
  ])('reads %s', async (_what, bytes) => {
    for (const size of [bytes.length, 3]) {
      const { messages } = await collect(chunked(bytes, size));
      expect(messages.map((m) => [m.customer_number, m.customer_name])).toEqual([
        ['919970000001', 'अनिता शर्मा'],
        ['919970000002', 'محمد 🎉'],
      ]);
    }
  });

  it('reads the first sheet of an .xlsx, numbers as Excel stored them, lines as the sheet rows', async () => {
    const book = await xlsx(
      [
        ['Mobile No.', 'Name', 'City'],
        [919970000001, 'Asha', 'Pune'],
        [],
        [919970000702.5, 'Decimal', 'Goa'],
        ['+91 99700 00003', { richText: [{ text: 'Rich ' }, { text: 'Text' }] }, null],
        [{ formula: '919970000000+4', result: 919970000004 }, 'Formula', 'Delhi'],
      ],
      true,
    );
    for (const size of [book.length, 1000]) {
      const { summary, messages } = await collect(chunked(book, size), {
        defaults: { image_url: 'https://cdn.example.com/a.jpg', caption: 'Hi {{name}} of {{city|India}}' },
      });
      expect(messages.map((m) => [m.customer_number, m.customer_name, m.caption])).toEqual([
        ['919970000001', 'Asha', 'Hi Asha of Pune'],
        ['919970000003', 'Rich Text', 'Hi Rich Text of India'],
        ['919970000004', 'Formula', 'Hi Formula of Delhi'],
      ]);
      expect(summary.errors).toEqual([
        { row: 2, line: 4, field: 'customer_number', message: expect.stringContaining('decimal part') },
      ]);
      expect(summary.columns?.customer_number).toBe('Mobile No.');
    }
  });

  it('reads an .xlsx whatever format it was announced as', async () => {
    const book = await xlsx([
      ['phone', 'name'],
      ['919970000001', 'A'],
    ]);
    expect((await collect(book, { format: 'csv' })).messages).toHaveLength(1);
  });

  it.each([
    ['a PDF file', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n')],
    ['an old Excel .xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0x0a])],
    ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['a Word document', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('\0\0word/document.xml\n')])],
  ])('names %s and says to save as CSV UTF-8', async (what, bytes) => {
    const err = await failure(collect(bytes));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(new RegExp(`^this is ${what.replace('.', '\\.')}.*: save it as CSV UTF-8`));
  });
});

describe('personal captions', () => {
  const defaults = {
    image_url: 'https://cdn.example.com/a.jpg',
    caption: 'Namaste {{Customer Name}}, {{city|friend}}!',
  };
  const text = 'phone,Customer Name,City\n919970000001,Asha,Pune\n919970000002,Bala,\n';

  it('fills each row from its own columns, the fallback when a cell is empty', async () => {
    const { messages, summary } = await collect(text, { defaults });
    expect(messages.map((m) => m.caption)).toEqual(['Namaste Asha, Pune!', 'Namaste Bala, friend!']);
    expect(summary.preview.map((m) => m.caption)).toEqual(['Namaste Asha, Pune!', 'Namaste Bala, friend!']);
  });

  it('refuses a variable no column stands for, naming it', async () => {
    const err = await failure(collect(text, { defaults: { ...defaults, caption: 'Hi {{name}} in {{town}}' } }));
    expect(err.code).toBe('UNKNOWN_VARIABLE');
    expect(err.message).toContain('{{town}}');
    const json = JSON.stringify([{ phone: '919970000001', name: 'A' }]);
    expect((await failure(collect(json, { defaults: { ...defaults, caption: '{{town}}' } }))).code).toBe(
      'UNKNOWN_VARIABLE',
    );
  });

  it('makes a rendered caption over 1,024 characters a row error', async () => {
    const long = `phone,name,note\n919970000001,A,${'x'.repeat(1000)}\n919970000002,B,short\n`;
    const { summary, messages } = await collect(long, {
      defaults: { ...defaults, caption: '{{name}}: {{note}} '.repeat(2) },
    });
    expect(messages.map((m) => m.customer_number)).toEqual(['919970000002']);
    expect(summary.errors).toEqual([{ row: 1, line: 2, field: 'caption', message: expect.stringContaining('1024') }]);
  });

  it('keeps the preview to the first 5 valid messages', async () => {
    const lines = ['phone,name'];
    for (let i = 1; i <= 9; i++) lines.push(`91997000000${i},N${i}`);
    const { summary } = await collect(lines.join('\n'), { defaults: { ...defaults, caption: 'Hi {{name}}' } });
    expect(summary.preview.map((m) => m.caption)).toEqual(['Hi N1', 'Hi N2', 'Hi N3', 'Hi N4', 'Hi N5']);
  });
});

/** Cells as spreadsheets write them, numbers in every mangled shape. */
const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 14 });
const cell = fc.oneof(
  digits.map((d) => `91997${d}`),
  fc.tuple(digits, fc.constantFrom('.0', '.5', '.00', ',0', 'E+11', '.25E+3')).map(([d, t]) => `91997${d}${t}`),
  fc.tuple(fc.constantFrom('+91 ', '0091', '0', "'", '(+91) ', ''), digits).map(([p, d]) => `${p}${d}`),
  fc.tuple(digits, digits).map(([a, b]) => `91${a} / 91${b}`),
);
const quoteCell = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe('property: the number sent is always the digits of its cell, or the row is rejected', () => {
  it('through CSV (CRLF, BOM, semicolons) and the default country code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(cell, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(',', ';'),
        async (cells, sep) => {
          const text = crlfBom(`phone${sep}name`, ...cells.map((c, i) => `${quoteCell(c)}${sep}N${i}`));
          const messages = (await collect(text, INDIA).catch(() => ({ messages: [] }))).messages;
          for (const m of messages) {
            const source = cells[Number(m.customer_name.slice(1))]!;
            const whole = /^(.*?)[.,]0+$/.exec(source);
            const d = (whole ? whole[1]! : source).replace(/\D/g, '');
            expect([d, d.replace(/^00/, ''), `91${d}`, `91${d.replace(/^0/, '')}`]).toContain(m.customer_number);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
