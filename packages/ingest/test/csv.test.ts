import { Readable } from 'node:stream';
import { collect, DEFAULTS, failure, pieces } from './helpers';
import { ingestRecipients } from '../src';

const csv = (...lines: string[]) => lines.join('\n') + '\n';

describe('CSV columns', () => {
  it.each(['customer_number', 'phone', 'number', 'mobile', 'msisdn', 'PHONE', 'Mobile', ' MSISDN '])(
    'reads the number from a "%s" column',
    async (header) => {
      const { messages } = await collect(csv(`${header},name`, '919970000001,Asha'));
      expect(messages).toEqual([
        {
          type: 'image',
          url: DEFAULTS.image_url,
          mime_type: 'image/jpeg',
          customer_number: '919970000001',
          customer_name: 'Asha',
          caption: 'Default caption',
        },
      ]);
    },
  );

  it.each([
    ['name', 'image_url'],
    ['customer_name', 'url'],
    ['NAME', 'Image_URL'],
    ['Customer Name', 'IMAGE-URL'],
  ])('maps %s and %s case-insensitively', async (name, url) => {
    const { messages } = await collect(
      csv(`phone,${name},${url},MIME_TYPE,Caption`, '919970000001,Asha,https://img.example.com/a.png,image/png,Hi'),
    );
    expect(messages[0]).toMatchObject({
      customer_name: 'Asha',
      url: 'https://img.example.com/a.png',
      mime_type: 'image/png',
      caption: 'Hi',
    });
  });

  it('ignores unknown columns', async () => {
    const { messages } = await collect(csv('id,phone,city,name,notes', '7,919970000001,Pune,Asha,"x,y"'));
    expect(messages[0]).toMatchObject({ customer_number: '919970000001', customer_name: 'Asha' });
  });

  it('refuses a file without a phone column, naming the accepted headers', async () => {
    const err = await failure(collect(csv('fax,name', '919970000001,Asha')));
    expect(err.code).toBe('NO_PHONE_COLUMN');
    for (const name of ['customer_number', 'Phone Number', 'Mobile No.', 'phone_column='])
      expect(err.message).toContain(name);
    expect(err.message).toContain('"fax"');
  });

  it('refuses a file of bare numbers (the first number is not a header)', async () => {
    expect((await failure(collect(csv('919970000001', '919970000002')))).code).toBe('NO_PHONE_COLUMN');
  });
});

describe('CSV dialects', () => {
  it.each([
    ['comma', ','],
    ['semicolon', ';'],
    ['tab', '\t'],
  ])('detects the %s delimiter from the header', async (_, d) => {
    const { messages } = await collect(
      csv(['phone', 'name', 'caption'].join(d), ['919970000001', 'Asha', '"Hi,\tthere; you"'].join(d)),
    );
    expect(messages[0]).toMatchObject({
      customer_number: '919970000001',
      customer_name: 'Asha',
      caption: 'Hi,\tthere; you',
    });
  });

  it('takes the delimiter that is most present outside quotes', async () => {
    const { messages } = await collect(csv('phone;name;"notes, misc, more"', '919970000001;Doe, Jane;a, b, c'));
    expect(messages[0]).toMatchObject({ customer_number: '919970000001', customer_name: 'Doe, Jane' });
  });

  it('accepts a UTF-8 BOM, CRLF line ends and no final newline', async () => {
    const { messages, summary } = await collect('\uFEFFphone,name\r\n919970000001,Zoë\r\n919970000002,Ωmega');
    expect(summary.total).toBe(2);
    expect(messages.map((m) => m.customer_name)).toEqual(['Zoë', 'Ωmega']);
  });

  it('reads quoted fields with delimiters, escaped quotes and newlines, and trims cells', async () => {
    const { messages, summary } = await collect(
      csv(
        'phone,name,caption',
        ' 919970000001 , "Doe, Jane" ,"Line one',
        'line two, with ""quotes"""',
        '919970000002,Bob,x',
      ),
    );
    expect(summary.total).toBe(2);
    expect(messages[0]).toMatchObject({ customer_name: 'Doe, Jane', caption: 'Line one\nline two, with "quotes"' });
    expect(messages[1]).toMatchObject({ customer_name: 'Bob' });
  });

  it('skips blank lines (and lines of empty cells) without counting them', async () => {
    const { summary, rows } = await collect(csv('phone,name', '', '919970000001,A', '   ', ',', '', '919970000002,B'));
    expect(summary).toMatchObject({ total: 2, accepted: 2, rejected: 0, duplicates: 0, errors: [] });
    expect(rows).toEqual([1, 2]);
  });

  it('gives the same result whatever the chunk boundaries', async () => {
    const text = csv(
      'phone;name;caption',
      '919970000001;"Zoë; ""Z""";"multi',
      'line"',
      '919970000002;Ωmega;€ sign',
      '123;short;x',
    );
    const whole = await collect(text);
    for (const size of [1, 2, 3, 7]) {
      const split = await collect(pieces(text, size));
      expect(split).toEqual(whole);
    }
    expect(whole.summary).toMatchObject({ total: 3, accepted: 2, rejected: 1 });
    expect(whole.messages[0]?.customer_name).toBe('Zoë; "Z"');
  });

  it('accepts strings as chunks', async () => {
    async function* strings() {
      yield 'phone,na';
      yield 'me\n9199700000';
      yield '01,Asha\n';
    }
    expect((await collect(strings())).messages).toHaveLength(1);
  });
});

describe('CSV values', () => {
  it('fills empty cells from the campaign defaults and lets row cells override them', async () => {
    const { messages } = await collect(
      csv(
        'phone,name,image_url,mime_type,caption',
        '919970000001,A,,,',
        '919970000002,B,https://img.example.com/b.png,,Own caption',
        '919970000003,C,https://img.example.com/c,image/jpeg,',
      ),
    );
    expect(messages).toEqual([
      {
        type: 'image',
        url: DEFAULTS.image_url,
        mime_type: 'image/jpeg',
        customer_number: '919970000001',
        customer_name: 'A',
        caption: 'Default caption',
      },
      {
        type: 'image',
        url: 'https://img.example.com/b.png',
        mime_type: 'image/png',
        customer_number: '919970000002',
        customer_name: 'B',
        caption: 'Own caption',
      },
      {
        type: 'image',
        url: 'https://img.example.com/c',
        mime_type: 'image/jpeg',
        customer_number: '919970000003',
        customer_name: 'C',
        caption: 'Default caption',
      },
    ]);
  });

  it('normalises numbers written with + ( ) - . and spaces', async () => {
    const { messages } = await collect(
      csv('phone,name', '(91) 9970-000002,A', '+91 99700 00003,B', '91.9970.000004,C', '0091 9970000005,D'),
    );
    expect(messages.map((m) => m.customer_number)).toEqual([
      '919970000002',
      '919970000003',
      '919970000004',
      '919970000005',
    ]);
  });

  it('prepends the default country code to national numbers when configured', async () => {
    const { messages } = await collect(csv('phone,name', '9970000001,A', '09970000002,B', '+44 20 7946 0958,C'), {
      validation: { defaultCountryCode: '91' },
    });
    expect(messages.map((m) => m.customer_number)).toEqual(['919970000001', '919970000002', '442079460958']);
  });

  it('keeps a name that starts with = as it is (formula safety belongs to the report)', async () => {
    const { messages } = await collect(
      csv('phone,name', '919970000001,=1+1', '919970000002,"=HYPERLINK(""http://x.test"")"'),
    );
    expect(messages.map((m) => m.customer_name)).toEqual(['=1+1', '=HYPERLINK("http://x.test")']);
  });

  it('uses the number as the name only when asked', async () => {
    const text = csv('phone,name', '919970000001,');
    expect((await failure(collect(text))).code).toBe('NO_VALID_ROWS');
    expect((await collect(text, { validation: { nameFallbackToNumber: true } })).messages[0]?.customer_name).toBe(
      '919970000001',
    );
  });
});

describe('CSV row errors', () => {
  const file = csv(
    'phone,name,image_url,caption',
    '919970000001,Good,,', // 1
    '12345,Short,,', // 2
    '919970000003,Ftp,ftp://img.example.com/a.jpg,', // 3
    `919970000004,Long,,${'x'.repeat(1025)}`, // 4
    '919970000005,,,', // 5
    '919970000006,"Multi',
    'line",,', // 6 (two lines, one row)
    'abc,Letters,,', // 7
    '919970000008,Fine,,', // 8
  );

  it('reports each bad row with its data row number and field', async () => {
    const { summary, rows } = await collect(file);
    expect(summary).toMatchObject({ total: 8, accepted: 3, rejected: 5, duplicates: 0 });
    expect(rows).toEqual([1, 6, 8]);
    expect(summary.errors).toEqual([
      { row: 2, line: 3, field: 'customer_number', message: expect.stringContaining('is not a valid number') },
      { row: 3, line: 4, field: 'url', message: 'must use http or https (got ftp)' },
      { row: 4, line: 5, field: 'caption', message: 'must be at most 1024 characters (got 1025)' },
      { row: 5, line: 6, field: 'customer_name', message: 'is required' },
      // Row 6 spans lines 7 and 8.
      { row: 7, line: 9, field: 'customer_number', message: expect.stringContaining('letters') },
    ]);
  });

  it('accepts a caption of exactly 1024 characters', async () => {
    const { messages } = await collect(csv('phone,name,caption', `919970000001,A,${'é'.repeat(1024)}`));
    expect(messages[0]?.caption).toHaveLength(1024);
  });

  it('reports every problem of one row', async () => {
    const { summary } = await collect(csv('phone,name,image_url', '1,,ftp://x.test/a.jpg', '919970000001,A,'));
    expect(summary.errors.map((e) => [e.row, e.field])).toEqual([
      [1, 'customer_number'],
      [1, 'customer_name'],
      [1, 'url'],
    ]);
  });

  it('caps the error list at maxErrors but counts every rejected row', async () => {
    const lines = ['phone,name', '919970000000,Ok'];
    for (let i = 0; i < 50; i++) lines.push(`${i},Bad`);
    const { summary } = await collect(csv(...lines), { maxErrors: 10 });
    expect(summary).toMatchObject({ total: 51, accepted: 1, rejected: 50 });
    expect(summary.errors).toHaveLength(10);
    expect(summary.errors.map((e) => e.row)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('defaults to 1000 listed errors', async () => {
    const lines = ['phone,name', '919970000000,Ok'];
    for (let i = 0; i < 1500; i++) lines.push(`${i},Bad`);
    const { summary } = await collect(csv(...lines));
    expect(summary.errors).toHaveLength(1000);
    expect(summary.rejected).toBe(1500);
  });
});

describe('duplicates', () => {
  it('sends a number once however it is written, and counts the rest', async () => {
    const { summary, messages, rows } = await collect(
      csv(
        'phone,name',
        '+91 99700 00001,First',
        '919970000001,Second',
        '0091 9970000001,Third',
        '919970000002,Other',
        '(91) 9970-000002,Again',
        'bad,X',
      ),
    );
    expect(messages.map((m) => [m.customer_number, m.customer_name])).toEqual([
      ['919970000001', 'First'],
      ['919970000002', 'Other'],
    ]);
    expect(rows).toEqual([1, 4]);
    expect(summary).toMatchObject({ total: 6, accepted: 2, rejected: 1, duplicates: 3 });
  });

  it('does not count an invalid row as the first of its number', async () => {
    const { summary, rows } = await collect(csv('phone,name', '919970000001,', '919970000001,Named'));
    expect(summary).toMatchObject({ accepted: 1, rejected: 1, duplicates: 0 });
    expect(rows).toEqual([2]);
  });

  it('takes one number written four ways as one recipient', async () => {
    // A leading 00 is an international prefix, a single 0 the trunk prefix of a national number.
    const { summary, rows } = await collect(
      csv('phone,name', '09970000001,A', '+91 99700 00001,B', '0091 9970000001,C', '9970000001,D', '9970000002,E'),
      { validation: { defaultCountryCode: '91' } },
    );
    expect(summary).toMatchObject({ accepted: 2, duplicates: 3 });
    expect(rows).toEqual([1, 5]);
  });
});

describe('unparseable CSV', () => {
  it('names the row of an unclosed quote', async () => {
    const err = await failure(
      collect(csv('phone,name', '919970000001,A', '919970000002,B', '"919970000003,C', '919970000004,D')),
    );
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toBe('row 3: unclosed quote (the quoted field runs to the end of the file)');
    expect(err.details).toEqual({ row: 3 });
  });

  it('names the row whose column count differs from the header', async () => {
    const err = await failure(
      collect(csv('phone,name', '919970000001,A', '"9199700', '00002",B', '919970000003,C,extra')),
    );
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toBe('row 3 (line 5): has 3 fields but the header has 2');
  });

  it('refuses text after a closing quote', async () => {
    const err = await failure(collect(csv('phone,name', '919970000001,"A"x')));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(/^row 1 \(line 2\): text after a closing quote/);
  });

  it('refuses a record over the size limit instead of buffering the rest of the file', async () => {
    const big = 'phone,name\n"919970000001,' + 'a,b\n'.repeat(400_000);
    const err = await failure(collect(pieces(big, 64 * 1024)));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(/^row 1: longer than 1 MiB/);
  });

  it('refuses binary data, naming it when it can', async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10, 0x0a, 0x41]);
    expect((await failure(collect(zip))).message).toMatch(/^this is a ZIP archive: .*CSV UTF-8/);
    const garbage = Buffer.from([0x01, 0x00, 0x00, 0xff, 0x10, 0x0a, 0x41]);
    const err = await failure(collect(garbage));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(/^this is a binary file/);
  });

  it('refuses rows of text that is neither UTF-8 nor UTF-16 (Latin-1), naming the field', async () => {
    const latin1 = Buffer.from('phone,name\n919970000001,Zo\xeb\n', 'latin1');
    const err = await failure(collect(latin1));
    expect(err.code).toBe('NO_VALID_ROWS');
    expect(err.details).toMatchObject({ errors: [{ row: 1, field: 'customer_name', message: 'is not valid UTF-8' }] });
  });

  it('stops reading at the failure and closes the input', async () => {
    let pulled = 0;
    let closed = false;
    async function* input() {
      try {
        yield 'phone,name\n919970000001,A\n919970000002,B,C\n';
        for (;;) {
          pulled++;
          yield '919970000003,C\n';
        }
      } finally {
        closed = true;
      }
    }
    expect((await failure(collect(input()))).code).toBe('UNPARSEABLE');
    // csv-parse may need one more chunk to see that the last line has ended.
    expect(pulled).toBeLessThanOrEqual(1);
    expect(closed).toBe(true);
  });
});

describe('whole-file outcomes', () => {
  it('refuses an empty file and a header without rows', async () => {
    expect((await failure(collect(''))).code).toBe('NO_VALID_ROWS');
    expect((await failure(collect(' \n\n'))).code).toBe('NO_VALID_ROWS');
    const err = await failure(collect(csv('phone,name')));
    expect(err.code).toBe('NO_VALID_ROWS');
    expect(err.details).toMatchObject({ total: 0, accepted: 0, rejected: 0, duplicates: 0, errors: [] });
  });

  it('refuses a file none of whose rows is valid, with the summary', async () => {
    const err = await failure(collect(csv('phone,name', '1,A', '2,B')));
    expect(err.code).toBe('NO_VALID_ROWS');
    expect(err.details).toMatchObject({ total: 2, rejected: 2, accepted: 0, errors: [{ row: 1 }, { row: 2 }] });
  });

  it('strict: refuses the file if any row is invalid, listing every bad row', async () => {
    const messages: string[] = [];
    const text = csv('phone,name', '919970000001,A', '1,B', '919970000003,C', '2,D', '919970000001,dup');
    const err = await failure(
      ingestRecipients(Readable.from([text]), {
        format: 'csv',
        strict: true,
        defaults: DEFAULTS,
        sink: (m) => {
          messages.push(m.customer_number);
        },
      }),
    );
    expect(err.code).toBe('STRICT_REJECTED');
    expect(err.details).toMatchObject({
      total: 5,
      accepted: 2,
      rejected: 2,
      duplicates: 1,
      errors: [
        { row: 2, line: 3, field: 'customer_number', message: expect.any(String) },
        { row: 4, line: 5, field: 'customer_number', message: expect.any(String) },
      ],
    });
    // Nothing after the first bad row reaches the sink: it would only be discarded.
    expect(messages).toEqual(['919970000001']);
  });

  it('strict: accepts a file whose rows are all valid', async () => {
    const { summary } = await collect(csv('phone,name', '919970000001,A', '919970000001,A'), { strict: true });
    expect(summary).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('refuses invalid campaign defaults before reading', async () => {
    const err = await failure(
      collect(csv('phone,name', '919970000001,A'), { defaults: { image_url: 'ftp://x.test/a.jpg' } }),
    );
    expect(err.code).toBe('INVALID_DEFAULTS');
    expect(err.details).toEqual([{ field: 'image_url', message: 'must use http or https (got ftp)' }]);
  });
});
