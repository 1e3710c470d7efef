/**
 * Contender: the plain BullMQ worker a user writes in an afternoon. One job per message, a Worker with
 * concurrency CONCURRENCY whose processor posts the job's body with p-retry (4 retries) and returns the
 * wamid, so BullMQ keeps it as the job's return value. The jobs are added by the bench (`addBulk`).
 *
 * env: REDIS_URL, SANDBOX_URL, QUEUE, CONCURRENCY, CLIENT (`fetch`, the default: Node's global fetch,
 * what the afternoon version uses; `undici`: a Pool of CONCURRENCY connections like the bare loop, the
 * tuned version). Prints `ready` once the worker runs; SIGTERM closes it.
 */
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import pRetry from 'p-retry';
import { Pool } from 'undici';

const { REDIS_URL = '', SANDBOX_URL = '', QUEUE = 'messages' } = process.env;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 100);
const CLIENT = process.env.CLIENT ?? 'fetch';

const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
const pool = new Pool(SANDBOX_URL, { connections: CONCURRENCY });

async function sendWithFetch(body: unknown): Promise<string> {
  const res = await fetch(`${SANDBOX_URL}/message/`, {
    method: 'POST',
    headers: { 'x-api-key': 'x', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: { id?: string } };
  if (res.status !== 200 || !json.data?.id) throw new Error(`upstream answered ${res.status}`);
  return json.data.id;
}

async function sendWithUndici(body: unknown): Promise<string> {
  const res = await pool.request({
    method: 'POST',
    path: '/message/',
    headers: { 'x-api-key': 'x', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.body.json()) as { data?: { id?: string } };
  if (res.statusCode !== 200 || !json.data?.id) throw new Error(`upstream answered ${res.statusCode}`);
  return json.data.id;
}

const send = CLIENT === 'fetch' ? sendWithFetch : sendWithUndici;
const worker = new Worker(QUEUE, (job) => pRetry(() => send(job.data), { retries: 4 }), {
  connection,
  concurrency: CONCURRENCY,
});
worker.on('error', (err) => console.error(err));
void worker.waitUntilReady().then(() => process.stdout.write('ready\n'));

process.once('SIGTERM', () => {
  void worker
    .close()
    .then(() => pool.close())
    .then(() => connection.quit())
    .finally(() => process.exit(0));
});
