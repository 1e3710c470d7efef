/**
 * Contender: the bare send loop. An undici Pool with one connection per loop, CONCURRENCY loops each
 * posting the reference body to `${SANDBOX_URL}/message/` and reading the wamid, until N messages are
 * done. No queue, no Redis, no retries: the ceiling for one process at this concurrency.
 *
 * env: SANDBOX_URL, IMAGE_URL, N, CONCURRENCY, WARMUP. Prints one JSON line: {sent, seconds, cpuSeconds}.
 */
import { Pool } from 'undici';
import { imageMessage } from '../lib/csv-file';

const { SANDBOX_URL = '', IMAGE_URL = '' } = process.env;
const N = Number(process.env.N ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 100);
const WARMUP = Number(process.env.WARMUP ?? 1_000);

const pool = new Pool(SANDBOX_URL, { connections: CONCURRENCY, pipelining: 1 });
const headers = { 'x-api-key': 'x', 'content-type': 'application/json' };

async function run(count: number): Promise<number> {
  let next = 0;
  let sent = 0;
  const loop = async () => {
    while (next < count) {
      const i = next++;
      const res = await pool.request({
        method: 'POST',
        path: '/message/',
        headers,
        body: JSON.stringify(imageMessage(IMAGE_URL, i)),
      });
      const body = (await res.body.json()) as { data?: { id?: string } };
      if (res.statusCode !== 200 || !body.data?.id) throw new Error(`message ${i}: ${res.statusCode}`);
      sent++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return sent;
}

async function main(): Promise<void> {
  await run(WARMUP);
  process.stdout.write('warm\n');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sent = await run(N);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ sent, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
  await pool.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
