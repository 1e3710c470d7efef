import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { ingestRecipients, type IngestSummary } from '../src';
import { DEFAULTS, failure } from './helpers';

const ROWS_PER_CHUNK = 100;

/** A CSV or NDJSON file made on demand, counting the chunks pulled from it. */
function generated(format: 'csv' | 'ndjson', chunks: number) {
  const state = { pulled: 0 };
  async function* input(): AsyncGenerator<string> {
    if (format === 'csv') yield 'phone,name\n';
    for (let c = 0; c < chunks; c++) {
      state.pulled++;
      let text = '';
      for (let i = 0; i < ROWS_PER_CHUNK; i++) {
        const n = 919_900_000_000 + c * ROWS_PER_CHUNK + i;
        text += format === 'csv' ? `${n},Name ${n}\n` : `{"phone":"${n}","name":"N"}\n`;
      }
      yield text;
    }
  }
  return { input: input(), state };
}

describe.each(['csv', 'ndjson'] as const)('%s with an async sink', (format) => {
  it('awaits each promise before the next row and reads no further ahead than a chunk or two', async () => {
    const { input, state } = generated(format, 50);
    let inFlight = 0;
    let maxInFlight = 0;
    let maxAhead = 0;
    const rows: number[] = [];
    const summary = await ingestRecipients(input, {
      format: 'auto',
      defaults: DEFAULTS,
      sink: async (_, row) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxAhead = Math.max(maxAhead, state.pulled - Math.ceil(row / ROWS_PER_CHUNK));
        await tick();
        rows.push(row);
        inFlight--;
      },
    });
    expect(summary).toMatchObject({ total: 5000, accepted: 5000 });
    expect(maxInFlight).toBe(1);
    expect(maxAhead).toBeLessThanOrEqual(2);
    expect(rows).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });
});

it('propagates an error thrown by the sink and stops reading', async () => {
  const { input, state } = generated('csv', 1000);
  await expect(
    ingestRecipients(input, {
      format: 'csv',
      defaults: DEFAULTS,
      sink: async (_, row) => {
        if (row === 150) throw new Error('queue down');
      },
    }),
  ).rejects.toThrow('queue down');
  expect(state.pulled).toBeLessThanOrEqual(3);
});

it('destroys a Readable input when the file is refused', async () => {
  const input = Readable.from(
    (function* () {
      yield 'phone,name\n919970000001,A\n"919970000002,B\n';
      for (let i = 0; i < 100; i++) yield `91997${String(i).padStart(7, '0')},X\n`;
    })(),
  );
  expect((await failure(ingestRecipients(input, { format: 'csv', defaults: DEFAULTS, sink: () => {} }))).code).toBe(
    'UNPARSEABLE',
  );
  expect(input.destroyed).toBe(true);

  const binary = Readable.from([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]),
    Buffer.from('more'),
  ]);
  expect((await failure(ingestRecipients(binary, { format: 'auto', defaults: DEFAULTS, sink: () => {} }))).code).toBe(
    'UNPARSEABLE',
  );
  expect(binary.destroyed).toBe(true);
});

it('looks past leading blank lines to tell the format', async () => {
  async function* input() {
    yield '\n  \n';
    yield '\t\n';
    yield '{"phone": "919970000001", "name": "A"}\n{"phone": "919970000002", "name": "B"}\n';
  }
  const messages: string[] = [];
  const summary = await ingestRecipients(input(), {
    format: 'auto',
    defaults: DEFAULTS,
    sink: (m) => void messages.push(m.customer_number),
  });
  expect(summary.total).toBe(2);
  expect(messages).toEqual(['919970000001', '919970000002']);
});

it('streams a 200k-row CSV through a sync sink', async () => {
  const ROWS = 200_000;
  async function* file(): AsyncGenerator<Buffer> {
    let text = '\uFEFFcustomer_number;customer_name;caption\r\n';
    for (let i = 1; i <= ROWS; i++) {
      // Every 100th row repeats an earlier number, every 1000th has a short one.
      const n = i % 1000 === 0 ? '12345' : i % 100 === 0 ? `+91 ${9_900_000_000 + i - 1}` : String(919_900_000_000 + i);
      text += `${n};Name ${i};Hello ${i}\r\n`;
      if (text.length > 64 * 1024) {
        yield Buffer.from(text);
        text = '';
      }
    }
    yield Buffer.from(text);
  }
  let sunk = 0;
  let lastRow = 0;
  const started = process.hrtime.bigint();
  const summary: IngestSummary = await ingestRecipients(file(), {
    format: 'auto',
    defaults: DEFAULTS,
    sink: (_, row) => {
      sunk++;
      lastRow = row;
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Under jest every global lookup goes through a Proxy, several times slower: bench/throughput.ts has the real figure.
  console.log(`ingest under jest: ${ROWS} CSV rows in ${seconds.toFixed(2)} s = ${Math.round(ROWS / seconds)} rows/s`);
  expect(summary).toMatchObject({ total: ROWS, rejected: 200, duplicates: 1800, accepted: ROWS - 2000 });
  expect(summary.errors).toHaveLength(200);
  expect(sunk).toBe(ROWS - 2000);
  expect(lastRow).toBe(ROWS - 1);
});
