/**
 * `npx tsx bench/report-memory.ts [N] [format]`: peak RSS while streaming an N-row report (default 1,000,000,
 * xlsx) through formatReport into a consumer that counts bytes, from a row source that never waits (the worst case
 * for backpressure: rows are ready faster than deflate takes them). Prints rows, bytes, seconds, RSS before and
 * peak. See BENCHMARKS.md.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReportRow } from '../packages/schema/src';
import { formatReport, type ReportFormat } from '../packages/campaigns/src';

async function* rows(n: number): AsyncGenerator<ReportRow> {
  for (let i = 0; i < n; i++) {
    yield {
      customer_number: String(917_000_000_000 + i),
      customer_name: `Customer ${i} अनिता`,
      status: i % 10 === 0 ? 'failed' : 'sent',
      wamid: i % 10 === 0 ? '' : `wamid.HBgMOTE5OTcwMDAwMDIyFQIAERgSQ0Y${i.toString(36).padStart(8, '0')}`,
      error_code: i % 10 === 0 ? '131026' : '',
      error_message: i % 10 === 0 ? 'Message undeliverable' : '',
      attempts: 1 + (i % 3),
      updated_at: new Date(1_765_000_000_000 + i * 1000).toISOString(),
      delivery_status: i % 10 === 0 ? 'failed' : 'delivered',
    };
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const format = (process.argv[3] ?? 'xlsx') as ReportFormat;
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let bytes = 0;
  const started = Date.now();
  await pipeline(
    formatReport(rows(n), format),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${format} report: ${n.toLocaleString('en')} rows, ${mib(bytes)} MiB, ${seconds} s, ` +
      `RSS ${mib(before)} MiB before, peak ${mib(peak)} MiB`,
  );
}

void main();
