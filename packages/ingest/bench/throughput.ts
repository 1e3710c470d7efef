/**
 * Ingest throughput on this machine, each format side by side with the bare parse of the same bytes:
 *   npx tsx packages/ingest/bench/throughput.ts [rows]
 * (Run outside jest: jest's global Proxy slows every global lookup several times over.)
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ingestRecipients, type IngestOptions } from '../src';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const defaults = { image_url: 'https://cdn.example.com/promo.jpg', caption: 'Hello from the campaign' };

function file(format: 'csv' | 'json' | 'ndjson'): Buffer[] {
  const chunks: Buffer[] = [];
  let text = format === 'csv' ? 'phone,name,caption\n' : format === 'json' ? '[' : '';
  for (let i = 0; i < ROWS; i++) {
    const phone = String(919_000_000_000 + i);
    if (format === 'csv') text += `${phone},Name ${i},Hi ${i}\n`;
    else
      text +=
        (format === 'json' && i > 0 ? ',\n' : '') +
        `{"phone":"${phone}","name":"Name ${i}","caption":"Hi ${i}"}` +
        (format === 'ndjson' ? '\n' : '');
    if (text.length >= 64 * 1024) {
      chunks.push(Buffer.from(text));
      text = '';
    }
  }
  chunks.push(Buffer.from(format === 'json' ? `${text}]` : text));
  return chunks;
}

async function time(label: string, run: () => Promise<number>): Promise<void> {
  const started = process.hrtime.bigint();
  const rows = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `${label.padEnd(44)} ${String(Math.round(rows / seconds)).padStart(9)} rows/s  ` +
      `(${rows} rows, ${seconds.toFixed(2)} s)`,
  );
}

async function main(): Promise<void> {
  const ingest = (format: IngestOptions['format'], chunks: Buffer[]) => async () => {
    let sunk = 0;
    const summary = await ingestRecipients(Readable.from(chunks), { format, defaults, sink: () => void sunk++ });
    if (sunk !== ROWS || summary.accepted !== ROWS) throw new Error(`expected ${ROWS} rows, got ${sunk}`);
    return summary.total;
  };
  const bareCsv = (columns: boolean, chunks: Buffer[]) => async () => {
    let rows = 0;
    for await (const _ of Readable.from(chunks).pipe(parse({ columns, skip_empty_lines: true }))) rows++;
    return columns ? rows : rows - 1;
  };
  const csv = file('csv');
  await time('csv-parse alone, columns: true (objects)', bareCsv(true, csv));
  await time('csv-parse alone, columns: false (arrays)', bareCsv(false, csv));
  await time('ingestRecipients csv (validate, dedupe, sink)', ingest('auto', csv));
  await time('ingestRecipients json', ingest('auto', file('json')));
  await time('ingestRecipients ndjson', ingest('auto', file('ndjson')));
}

void main();
