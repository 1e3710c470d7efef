import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { ingestRecipients } from '../src';
import { collect, DEFAULTS, failure } from './helpers';

/** The reproduction of issue 19: 95 Indian numbers with their code, five bare `65812345xx`. */
function mixedList(): string {
  const lines = ['phone,name'];
  for (let i = 0; i < 95; i++) lines.push(`9199700${String(i).padStart(5, '0')},India ${i}`);
  for (let i = 0; i < 5; i++) lines.push(`65812345${String(i).padStart(2, '0')},Bare ${i}`);
  return `${lines.join('\n')}\n`;
}

// The spool goes to os.tmpdir(): each test gets its own, to see that nothing is left in it.
let spoolDir: string;
const savedTmp = process.env.TMPDIR;
beforeEach(async () => {
  spoolDir = await mkdtemp(join(tmpdir(), 'country-test-'));
  process.env.TMPDIR = spoolDir;
});
afterEach(async () => {
  process.env.TMPDIR = savedTmp;
  if (savedTmp === undefined) delete process.env.TMPDIR;
  await rm(spoolDir, { recursive: true, force: true });
});
const leftInTmp = () => readdir(spoolDir);

describe('the list country inferred from the file', () => {
  it('refuses bare numbers that read two ways, naming both, and reads the rest', async () => {
    const { summary, messages } = await collect(mixedList());
    expect(summary).toMatchObject({
      total: 100,
      accepted: 95,
      rejected: 5,
      country: 'IN',
      country_source: 'inferred',
      countries: { IN: 95 },
    });
    expect(messages.every((m) => m.customer_number.startsWith('91'))).toBe(true);
    expect(summary.errors.map((e) => e.row)).toEqual([96, 97, 98, 99, 100]);
    for (const e of summary.errors) {
      expect(e.field).toBe('customer_number');
      expect(e.message).toMatch(/reads two ways/);
      expect(e.message).toMatch(/Singapore \(SG\) \+65 8123 45\d\d/);
      expect(e.message).toMatch(/India \(IN\) \+91 6581 234 5\d\d\./);
      expect(e.message).toMatch(/country=IN/);
    }
    expect(await leftInTmp()).toEqual([]);
  });

  it('reads them in the country given with the upload, or in DEFAULT_COUNTRY_CODE', async () => {
    for (const options of [{ country: 'IN' }, { country: 'in' }, { validation: { defaultCountryCode: '91' } }]) {
      const { summary, messages } = await collect(mixedList(), options);
      expect(summary).toMatchObject({ accepted: 100, rejected: 0, country: 'IN', countries: { IN: 100 } });
      expect(summary.country_source).toBe('country' in options ? 'option' : 'default');
      expect(messages.slice(95).map((m) => m.customer_number)).toEqual([0, 1, 2, 3, 4].map((i) => `91658123450${i}`));
    }
  });

  it('lets the upload country win over DEFAULT_COUNTRY_CODE', async () => {
    const { summary, messages } = await collect('phone,name\n81234567,A\n', {
      country: 'SG',
      validation: { defaultCountryCode: '91' },
    });
    expect(summary).toMatchObject({ country: 'SG', country_source: 'option', countries: { SG: 1 } });
    expect(messages[0]!.customer_number).toBe('6581234567');
  });

  it('refuses an unknown country before reading', async () => {
    for (const country of ['XX', 'India', '91', '']) {
      const err = await failure(collect(mixedList(), { country }));
      expect(err.code).toBe('UNKNOWN_COUNTRY');
      expect(err.message).toMatch(/ISO 3166/);
    }
  });

  it('reads a bare number of another country as international when the list country does not take it', async () => {
    // 12 digits that are no Indian national number: Singapore's with its code.
    const csv = mixedList().replace(/\n6581234500,/, '\n+65 8123 4500,');
    const { summary, messages } = await collect(csv);
    expect(summary).toMatchObject({ country: 'IN', countries: { IN: 95, SG: 1 }, rejected: 4 });
    expect(messages.map((m) => m.customer_number)).toContain('6581234500');
  });

  it('infers no country under 80 %, and then refuses a bare number national in a country of the file', async () => {
    const lines = ['phone,name'];
    for (let i = 0; i < 7; i++) lines.push(`+91 99700 000${String(i).padStart(2, '0')},I`);
    for (let i = 0; i < 3; i++) lines.push(`+65 8123 45${String(i).padStart(2, '0')},S`);
    lines.push('6581234599,Bare');
    const { summary } = await collect(`${lines.join('\n')}\n`);
    expect(summary).toMatchObject({ country: null, country_source: 'none', countries: { IN: 7, SG: 3 } });
    expect(summary.errors).toEqual([
      expect.objectContaining({
        row: 11,
        message: expect.stringMatching(/no country code and the list has no country/),
      }),
    ]);
  });

  it('refuses bare national-length numbers when nothing in the file tells a country (never a guess)', async () => {
    // Issue 19: nine bare Indian numbers and no country; five read validly abroad (+65, +961, +960, +82, +967).
    const err = await failure(collect('phone,name\n6581234567,A\n9970030001,B\n'));
    expect(err.code).toBe('NO_VALID_ROWS');
    const { summary, messages } = await collect('phone,name\n6581234567,A\n447400123456,B\n+6581234568,C\n');
    // The two numbers with a country code give no 80 % majority: the bare 10-digit one is refused.
    expect(summary).toMatchObject({ country: null, country_source: 'none', countries: { GB: 1, SG: 1 } });
    expect(messages.map((m) => m.customer_number)).toEqual(['447400123456', '6581234568']);
    expect(summary.errors).toEqual([expect.objectContaining({ row: 1, message: expect.stringMatching(/Singapore/) })]);
  });

  it('counts countries sharing a calling code together (+1: US and Canada)', async () => {
    const lines = ['phone,name'];
    for (let i = 0; i < 6; i++) lines.push(`+1 212 555 01${String(i).padStart(2, '0')},US`);
    for (let i = 0; i < 4; i++) lines.push(`+1 416 555 01${String(i).padStart(2, '0')},CA`);
    lines.push('4162223333,Bare Toronto'); // +41 62223333 is no Swiss number
    lines.push('6472223333,Ambiguous'); // +64 7 222 3333 is a New Zealand one
    const { summary, messages } = await collect(`${lines.join('\n')}\n`);
    expect(summary).toMatchObject({ country: 'US', country_source: 'inferred', countries: { US: 6, CA: 5 } });
    expect(messages.at(-1)!.customer_number).toBe('14162223333');
    expect(summary.errors).toEqual([
      expect.objectContaining({ row: 12, message: expect.stringMatching(/New Zealand \(NZ\).*Canada \(CA\)/) }),
    ]);
  });
});

describe('the copy made to infer the country', () => {
  it('reads a file whose start gives its country once, and one whose start misleads twice', async () => {
    const indian = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `+91 99${String(from + i).padStart(8, '0')},I`);
    const singapore = (n: number) => Array.from({ length: n }, (_, i) => `+65 8123 ${String(i).padStart(4, '0')},S`);
    const run = async (lines: string[]) => {
      let restarts = 0;
      const sunk: string[] = [];
      const summary = await ingestRecipients(Readable.from([`phone,name\n${lines.join('\n')}\n`]), {
        format: 'csv',
        defaults: DEFAULTS,
        inferCountry: {
          restart: () => {
            restarts++;
            sunk.length = 0;
          },
        },
        sink: (m) => void sunk.push(m.customer_number),
      });
      expect(sunk).toHaveLength(summary.accepted);
      return { summary, restarts, sunk };
    };
    // All Indian, with one bare number read in India: one reading.
    const once = await run([...indian(0, 1_500), '9970000001,Bare']);
    expect(once).toMatchObject({ restarts: 0, summary: { country: 'IN', accepted: 1_501 } });
    expect(once.sunk.at(-1)).toBe('919970000001');

    // The first 1,000 rows Singaporean, the file 90% Indian: the bare number is refused after a second reading.
    const twice = await run([...singapore(1_000), ...indian(0, 9_000), '6581234567,Bare']);
    expect(twice).toMatchObject({ restarts: 1, summary: { country: 'IN', accepted: 10_000, rejected: 1 } });
    expect(twice.summary.errors[0]!.message).toMatch(/reads two ways/);
    expect(twice.sunk).not.toContain('6581234567');
    expect(await leftInTmp()).toEqual([]);
  });

  it('is removed when the file is refused, and the input destroyed', async () => {
    const input = Readable.from(
      (function* () {
        yield 'phone,name\n919970000001,A\n"919970000002,B\n';
        for (let i = 0; i < 100; i++) yield `91997${String(i).padStart(7, '0')},X\n`;
      })(),
    );
    let sunk = 0;
    const err = await failure(
      ingestRecipients(input, {
        format: 'csv',
        defaults: DEFAULTS,
        inferCountry: { restart: () => {} },
        sink: () => void sunk++,
      }),
    );
    expect(err.code).toBe('UNPARSEABLE');
    expect(sunk).toBe(0);
    expect(input.destroyed).toBe(true);
    expect(await leftInTmp()).toEqual([]);
  });

  it('is removed when the input fails or the sink throws', async () => {
    async function* broken() {
      yield 'phone,name\n919970000001,A\n';
      throw new Error('client gone');
    }
    await expect(collect(broken())).rejects.toThrow('client gone');
    expect(await leftInTmp()).toEqual([]);

    await expect(
      ingestRecipients(Readable.from([mixedList()]), {
        format: 'csv',
        defaults: DEFAULTS,
        inferCountry: { restart: () => {} },
        sink: () => {
          throw new Error('queue down');
        },
      }),
    ).rejects.toThrow('queue down');
    expect(await leftInTmp()).toEqual([]);
  });

  it('fails with a body that fails before its first chunk is read (a byte limit), and is removed', async () => {
    let seen = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        cb(seen > 1000 ? new Error('too large') : null, chunk);
      },
    });
    const body = Readable.from(
      (function* () {
        yield 'phone,name\n';
        for (let i = 0; i < 200; i++) yield `919970000${String(i).padStart(3, '0')},A\n`;
      })(),
    );
    let sunk = 0;
    await expect(
      ingestRecipients(body.pipe(limit), {
        format: 'auto',
        defaults: DEFAULTS,
        inferCountry: { restart: () => {} },
        sink: () => void sunk++,
      }),
    ).rejects.toThrow('too large');
    expect(sunk).toBe(0);
    expect(await leftInTmp()).toEqual([]);
  });

  it('is removed on NO_VALID_ROWS and on strict refusal', async () => {
    expect((await failure(collect('phone,name\n123,A\n'))).code).toBe('NO_VALID_ROWS');
    expect((await failure(collect(mixedList(), { strict: true }))).code).toBe('STRICT_REJECTED');
    expect(await leftInTmp()).toEqual([]);
  });

  it('reads JSON and NDJSON files twice alike', async () => {
    const json = JSON.stringify([
      ...Array.from({ length: 9 }, (_, i) => ({ phone: `+91 99700 0000${i}`, name: 'I' })),
      { phone: '6581234567', name: 'Bare' },
    ]);
    const fromJson = await collect(json);
    expect(fromJson.summary).toMatchObject({ country: 'IN', accepted: 9, rejected: 1 });
    const ndjson = json.slice(1, -1).replace(/},{/g, '}\n{');
    const fromNdjson = await collect(ndjson, { format: 'ndjson' });
    expect(fromNdjson.summary).toMatchObject({ country: 'IN', accepted: 9, rejected: 1 });
  });
});
