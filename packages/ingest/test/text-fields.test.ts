/**
 * Issue 14: NUL bytes and invalid UTF-8 in a text field are row errors naming the field, wherever they are in the
 * file (past the first 64 KB too), in CSV, NDJSON, JSON and .xlsx; the rest of the file is read and sent.
 */
import ExcelJS from 'exceljs';
import { collect, failure } from './helpers';

/** `n` valid rows of about 26 bytes: 3,000 of them push what follows past the first 64 KB. */
const rows = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `9199700${String(from + i).padStart(5, '0')},Customer ${from + i}\n`).join('');

const LATIN1_E = Buffer.from([0xe9]);

describe('CSV', () => {
  it('refuses a row with a NUL or invalid UTF-8 past the first 64 KB, naming the field', async () => {
    const file = Buffer.concat([
      Buffer.from(`phone,name\n${rows(3_000)}`),
      Buffer.from('919970099001,Nul\u0000Name\n'),
      Buffer.from('919970099002,Jos'),
      LATIN1_E,
      Buffer.from(`\n919970099003,Fine\n`),
    ]);
    expect(file.indexOf(0)).toBeGreaterThan(64 * 1024);
    const { summary, messages } = await collect(file);
    expect(summary).toMatchObject({ total: 3_003, accepted: 3_001, rejected: 2 });
    expect(summary.errors).toEqual([
      { row: 3_001, line: 3_002, field: 'customer_name', message: 'contains a NUL byte' },
      { row: 3_002, line: 3_003, field: 'customer_name', message: 'is not valid UTF-8' },
    ]);
    expect(messages.map((m) => m.customer_name)).not.toContainEqual(expect.stringMatching(/\u0000|\uFFFD/));
  });

  it('finds the bad bytes however the upload is cut into chunks', async () => {
    const file = Buffer.concat([Buffer.from(`phone,name\n${rows(50)}919970099002,Ren`), LATIN1_E, Buffer.from('\n')]);
    for (const size of [1, 2, 3, 7, 64]) {
      async function* cut() {
        for (let i = 0; i < file.length; i += size) yield file.subarray(i, i + size);
      }
      const { summary } = await collect(cut());
      expect(summary.errors).toEqual([{ row: 51, line: 52, field: 'customer_name', message: 'is not valid UTF-8' }]);
    }
  });

  it('checks every field: phone, url, caption, and a column the caption template uses (named)', async () => {
    const file = Buffer.concat([
      Buffer.from('phone,name,url,caption,city\n'),
      Buffer.from('919970000001\u0000,A,,,Pune\n'),
      Buffer.from('919970000002,B,https://cdn.example.com/a\u0000.jpg,,Pune\n'),
      Buffer.from('919970000003,C,,Hi\u0000,Pune\n'),
      Buffer.from('919970000004,D,,,Pu\u0000ne\n'),
      Buffer.from('919970000005,E,,,Pun'),
      Buffer.from([0xff]),
      Buffer.from('\n919970000006,F,,,Mumbai\n'),
    ]);
    const { summary, messages } = await collect(file, {
      defaults: { image_url: 'https://x.example/a.jpg', caption: 'Hi {{city}}' },
    });
    expect(summary.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [1, 'customer_number', 'contains a NUL byte'],
      [2, 'url', 'contains a NUL byte'],
      [3, 'caption', 'contains a NUL byte'],
      [4, 'city', 'contains a NUL byte'],
      [5, 'city', 'is not valid UTF-8'],
    ]);
    expect(messages.map((m) => m.caption)).toEqual(['Hi Mumbai']);
  });

  it('reads a real U+FFFD as text, and refuses a header that is not UTF-8', async () => {
    const ok = await collect('phone,name\n919970000001,Bad \uFFFD char\n');
    expect(ok.messages[0]!.customer_name).toBe('Bad \uFFFD char');
    const latin = Buffer.concat([Buffer.from('phone,T'), LATIN1_E, Buffer.from('l\n919970000001,A\n')]);
    const err = await failure(collect(latin));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toContain('UTF-8');
  });

  it('still refuses binary files (NUL in the first line, or NUL-heavy)', async () => {
    expect((await failure(collect(Buffer.from('ph\u0000one,name\n919970000001,A\n')))).message).toMatch(/binary/);
    const heavy = Buffer.from(`phone,name\n${'\u0000'.repeat(200)}\n919970000001,A\n`);
    expect((await failure(collect(heavy))).message).toMatch(/binary/);
  });
});

describe('NDJSON and JSON', () => {
  const line = (o: Record<string, string>) => `${JSON.stringify(o)}\n`;

  it('NDJSON: raw invalid bytes past 64 KB, a \\u0000 escape and a lone surrogate escape are row errors', async () => {
    const head = Array.from({ length: 1_500 }, (_, i) =>
      line({ phone: `9199700${String(i).padStart(5, '0')}`, name: `Customer ${i}` }),
    ).join('');
    const file = Buffer.concat([
      Buffer.from(head),
      Buffer.from('{"phone":"919970099001","name":"Jos'),
      LATIN1_E,
      Buffer.from('"}\n{"phone":"919970099002","name":"A\\u0000B"}\n'),
      Buffer.from('{"phone":"919970099003","name":"A\\ud800B"}\n'),
      Buffer.from('{"phone":"919970099004","name":"Fine"}\n'),
    ]);
    expect(head.length).toBeGreaterThan(64 * 1024);
    const { summary } = await collect(file);
    expect(summary).toMatchObject({ accepted: 1_501, rejected: 3 });
    expect(summary.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [1_501, 'customer_name', 'is not valid UTF-8'],
      [1_502, 'customer_name', 'contains a NUL byte'],
      [1_503, 'customer_name', 'is not valid UTF-8'],
    ]);
  });

  it('JSON array: the same, and a caption variable key is named', async () => {
    const file = Buffer.concat([
      Buffer.from('[{"phone":"919970000001","name":"Jos'),
      LATIN1_E,
      Buffer.from('"},{"phone":"919970000002","name":"B","city":"X\\u0000"},'),
      Buffer.from('{"phone":"919970000003","name":"C","city":"Pune"}]'),
    ]);
    const { summary, messages } = await collect(file, {
      defaults: { image_url: 'https://x.example/a.jpg', caption: 'Hi {{city}}' },
    });
    expect(summary.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [1, 'customer_name', 'is not valid UTF-8'],
      [2, 'city', 'contains a NUL byte'],
    ]);
    expect(messages.map((m) => m.caption)).toEqual(['Hi Pune']);
  });
});

describe('.xlsx', () => {
  it('a cell holding a NUL is a row error naming its field', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('list');
    sheet.addRow(['phone', 'name']);
    // OOXML writes control characters as _xHHHH_ escapes: what Excel would save for a NUL in a cell.
    sheet.addRow(['919970000001', 'Nul_x0000_Name']);
    sheet.addRow(['919970000002', 'Fine']);
    sheet.addRow(['919970000003', 'Snake_x005F_x0000_case']);
    const book = Buffer.from(await wb.xlsx.writeBuffer());
    const { summary, messages } = await collect(book);
    expect(summary.errors).toEqual([{ row: 1, line: 2, field: 'customer_name', message: 'contains a NUL byte' }]);
    expect(messages.map((m) => m.customer_name)).toEqual(['Fine', 'Snake_x0000_case']);
  });
});
