/**
 * Contenders for the upload: `parse` reads the file with csv-parse alone and counts the rows (the
 * floor); `addbulk` is the naive producer, csv-parse plus `queue.addBulk` with one job per row (the
 * row as its data) in batches of 1,000.
 *
 * argv: parse|addbulk <file>; env: REDIS_URL, QUEUE (addbulk). Prints one JSON line: {rows, seconds}.
 */
import { createReadStream } from 'node:fs';
import { Queue } from 'bullmq';
import { parse } from 'csv-parse';
import IORedis from 'ioredis';

const [mode, file = ''] = process.argv.slice(2);

async function parseOnly(): Promise<number> {
  let rows = 0;
  for await (const _record of createReadStream(file).pipe(parse({ from_line: 2 }))) rows++;
  return rows;
}

async function addBulk(): Promise<number> {
  const connection = new IORedis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
  const queue = new Queue(process.env.QUEUE ?? 'messages', { connection });
  let rows = 0;
  let batch: Array<{ name: string; data: Record<string, string> }> = [];
  for await (const row of createReadStream(file).pipe(parse({ columns: true }))) {
    batch.push({ name: 'send', data: row as Record<string, string> });
    if (batch.length === 1_000) {
      await queue.addBulk(batch);
      rows += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await queue.addBulk(batch);
  rows += batch.length;
  await queue.close();
  await connection.quit();
  return rows;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const rows = mode === 'parse' ? await parseOnly() : await addBulk();
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ rows, seconds })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
