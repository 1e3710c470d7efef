import { collect, DEFAULTS, failure, pieces } from './helpers';

const people = [
  { phone: '919970000001', name: 'Asha' },
  { mobile: 919970000002, NAME: 'Bala', image_url: 'https://img.example.com/b.png', caption: 'Own' },
  { msisdn: '+91 99700 00003', customer_name: 'Chitra', Caption: null, ignored: { nested: true } },
];
const expected = [
  {
    type: 'image',
    url: DEFAULTS.image_url,
    mime_type: 'image/jpeg',
    customer_number: '919970000001',
    customer_name: 'Asha',
    caption: 'Default caption',
  },
  {
    type: 'image',
    url: 'https://img.example.com/b.png',
    mime_type: 'image/png',
    customer_number: '919970000002',
    customer_name: 'Bala',
    caption: 'Own',
  },
  {
    type: 'image',
    url: DEFAULTS.image_url,
    mime_type: 'image/jpeg',
    customer_number: '919970000003',
    customer_name: 'Chitra',
    caption: 'Default caption',
  },
];
const ndjson = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join('\n') + '\n';

describe('JSON', () => {
  it('reads a top-level array; numbers are taken as text, null as empty, keys through the aliases', async () => {
    const { messages, rows } = await collect(JSON.stringify(people));
    expect(messages).toEqual(expected);
    expect(rows).toEqual([1, 2, 3]);
  });

  it('reads {"recipients": [...]}, pretty-printed, with other keys around it', async () => {
    const text = JSON.stringify({ campaign: { name: 'Diwali' }, recipients: people, note: 'x' }, null, 2);
    expect((await collect(text)).messages).toEqual(expected);
    expect((await collect(JSON.stringify({ recipients: people }), { format: 'json' })).messages).toEqual(expected);
  });

  it('accepts a BOM and any chunk boundaries', async () => {
    const text = '\uFEFF' + JSON.stringify([...people, { phone: '919970000004', name: 'Zoë Ω €' }]);
    const whole = await collect(text);
    expect(whole.messages[3]?.customer_name).toBe('Zoë Ω €');
    for (const size of [1, 5]) expect(await collect(pieces(text, size))).toEqual(whole);
  });

  it('rejects an element that is not an object, and a field that is not text, as row errors', async () => {
    const { summary } = await collect(
      JSON.stringify([people[0], 42, ['919970000009'], { phone: true, name: 'X' }, people[1]]),
    );
    expect(summary).toMatchObject({
      total: 5,
      accepted: 2,
      rejected: 3,
      duplicates: 0,
      errors: [
        // A JSON element's line is its row + 1, as in a sheet made of the array.
        { row: 2, line: 3, field: 'row', message: 'must be a JSON object (got a number)' },
        { row: 3, line: 4, field: 'row', message: 'must be a JSON object (got an array)' },
        { row: 4, line: 5, field: 'customer_number', message: 'must be a string or a number (got a boolean)' },
      ],
    });
  });

  it('validates rows like CSV does and folds duplicates', async () => {
    const { summary } = await collect(
      JSON.stringify([
        { phone: '+91 99700 00001', name: 'A' },
        { phone: '919970000001', name: 'B' },
        { phone: '0091 9970000001', name: 'C' },
        { phone: '123', name: 'D' },
        { phone: '919970000005', name: 'E', url: 'ftp://x.test/a.jpg' },
      ]),
    );
    expect(summary).toMatchObject({ total: 5, accepted: 1, duplicates: 2, rejected: 2 });
    expect(summary.errors.map((e) => [e.row, e.field])).toEqual([
      [4, 'customer_number'],
      [5, 'url'],
    ]);
  });

  it('refuses malformed JSON, naming the row', async () => {
    const err = await failure(collect('[{"phone": "919970000001", "name": "A"}, {"phone" "919970000002"}]'));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(/^row 2: invalid JSON/);
  });

  it('refuses a truncated file and data after the end', async () => {
    const truncated = await failure(collect('[{"phone": "919970000001", "name": "A"}, {"phone": "9199'));
    expect(truncated.code).toBe('UNPARSEABLE');
    expect(truncated.message).toBe('row 2: invalid JSON: the file ends inside it (a truncated upload?)');
    const trailing = await failure(collect(pieces('[{"phone": "919970000001", "name": "A"}]\n\n  [1]', 41)));
    expect(trailing.code).toBe('UNPARSEABLE');
    expect(trailing.message).toContain('after the end');
  });

  it('refuses a "recipients" that is not an array, and a document that is neither', async () => {
    expect((await failure(collect('{"recipients": {"a": {"phone": "919970000001"}}}'))).code).toBe('UNPARSEABLE');
    expect((await failure(collect('"just a string"', { format: 'json' }))).code).toBe('UNPARSEABLE');
  });

  it('has no valid rows when the array is empty or recipients is missing', async () => {
    expect((await failure(collect('[]'))).code).toBe('NO_VALID_ROWS');
    expect((await failure(collect('{\n"data": []\n}'))).code).toBe('NO_VALID_ROWS');
  });

  it('says there is no phone key when no object has one', async () => {
    const err = await failure(collect(JSON.stringify([{ fax: '919970000001', name: 'A' }])));
    expect(err.code).toBe('NO_PHONE_COLUMN');
    expect(err.message).toContain('Phone Number');
  });

  it('refuses a stray element too big to be a recipient', async () => {
    const huge = '[{"phone": "919970000001", "name": "' + 'x'.repeat(3 * 1024 * 1024) + '"}]';
    const err = await failure(collect(pieces(huge, 64 * 1024)));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(/^row 1: longer than 1 MiB/);
  });
});

describe('NDJSON', () => {
  it('reads one object a line; blank lines are skipped and rows count non-blank lines', async () => {
    const text =
      ndjson([people[0]]) + '\r\n\n' + ndjson([people[1]]).replace('\n', '\r\n') + '   \n' + ndjson([people[2]]);
    const { messages, rows } = await collect(text);
    expect(messages).toEqual(expected);
    expect(rows).toEqual([1, 2, 3]);
  });

  it('reads a single line without a final newline', async () => {
    expect((await collect(JSON.stringify(people[0]))).messages).toEqual([expected[0]]);
  });

  it('gives the same result whatever the chunk boundaries', async () => {
    const text = ndjson([...people, { phone: '919970000004', name: 'Zoë Ω €' }, 7]);
    const whole = await collect(text, { format: 'ndjson' });
    for (const size of [1, 3]) expect(await collect(pieces(text, size))).toEqual(whole);
    expect(whole.summary.errors).toEqual([
      { row: 5, line: 5, field: 'row', message: 'must be a JSON object (got a number)' },
    ]);
  });

  it('refuses a line that is not JSON, naming the line', async () => {
    const err = await failure(collect(ndjson([people[0]]) + '\n' + '{"phone": 9199, oops}\n' + ndjson([people[1]])));
    expect(err.code).toBe('UNPARSEABLE');
    expect(err.message).toMatch(/^line 3: not valid JSON/);
    expect(err.details).toEqual({ row: 2, line: 3 });
  });
});
