/**
 * `pnpm bench -- events` (SPEC §16, issue 23): outbound events measured with the real producer and worker processes.
 *   lag     — from the state change (the event's `created_at`: the outcome's script) to the receiver, at 100 and
 *             1,000 messages/s (SEND_RATE) with a healthy receiver on loopback: p50 / p95 / p99 (target p95 ≤ 1 s);
 *   send    — the send path at full speed with one endpoint subscribed to every event versus none (target ≥ 0.95×);
 *   memory  — Redis bytes per pending event with the receiver down (target ≤ 200 B): MEMORY USAGE of the endpoint's
 *             queue and the outboxes over the events pending, and used_memory freed when the endpoint is removed.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { freePort, spawnApp, waitFor, type AppProcess } from '../packages/devkit/src';
import { recipientsCsv } from './lib/csv-file';
import { fixed, int, median, ratio, sleep, usedMemory } from './lib/measure';
import { section, table, verdict, type Target } from './lib/report';
import {
  CONCURRENCY,
  LATENCY_MS,
  newPrefix,
  resetSandbox,
  startProducer,
  TOKEN,
  upload,
  waitCompleted,
  type Producer,
  type Stack,
} from './lib/stack';

export interface EventsOptions {
  /** Seconds of sending per lag run. */
  lagSeconds: number;
  /** Messages per send-path run, and rounds of each contender. */
  sendN: number;
  rounds: number;
  /** Events left pending for the memory figure. */
  pendingN: number;
}

/** A receiver on loopback: answers 204 and records when each event arrived against its `created_at`. */
async function startReceiver(): Promise<{ url: string; lags: number[]; count: () => number; close(): void }> {
  const lags: number[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      n += 1;
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; created_at: string };
      if (event.type === 'message.sent') lags.push(at - Date.parse(event.created_at));
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    lags,
    count: () => n,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function startEventWorker(stack: Stack, prefix: string, sendRate: number): AppProcess {
  return spawnApp('worker', {
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: prefix,
    SOBOT_API_URL: stack.sandboxUrl,
    SOBOT_API_KEY: 'x',
    SEND_RATE: String(sendRate),
    WORKER_CONCURRENCY: String(CONCURRENCY),
    ALLOW_PRIVATE_URLS: 'true',
    LOG_LEVEL: 'warn',
  });
}

async function api(producer: Producer, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const res = await request(`${producer.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.body.json()) as Record<string, unknown>;
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** A producer and a worker on a fresh prefix with one endpoint (when `url`), run, then stopped. */
async function withApps<T>(
  stack: Stack,
  sendRate: number,
  url: string | undefined,
  body: (producer: Producer, worker: AppProcess, endpoint?: string) => Promise<T>,
): Promise<T> {
  const prefix = newPrefix('ev');
  const producer = await startProducer(stack, prefix, undefined, { ALLOW_PRIVATE_URLS: 'true' });
  let endpoint: string | undefined;
  // The endpoint exists before the worker starts: its first events are written (SPEC §16: from creation + 1 s).
  if (url) endpoint = String((await api(producer, 'POST', '/v1/event-endpoints', { url })).id);
  const worker = startEventWorker(stack, prefix, sendRate);
  try {
    return await body(producer, worker, endpoint);
  } finally {
    await worker.stop();
    await producer.app.stop();
    await resetSandbox(stack);
  }
}

export async function eventsSection(stack: Stack, o: EventsOptions): Promise<Target[]> {
  const targets: Target[] = [];
  section(`events: lag at 100 and 1,000 msg/s (${o.lagSeconds} s each), healthy receiver on loopback`);
  const rows: Array<Array<string | number>> = [];
  for (const rate of [100, 1_000]) {
    const receiver = await startReceiver();
    const n = rate * o.lagSeconds;
    const file = await recipientsCsv(stack.dir, n, 918_000_000_000);
    await withApps(stack, rate, receiver.url, async (producer, worker) => {
      const up = await upload(producer, file.path, stack.imageUrl);
      await waitCompleted(producer, up.id, worker, 600_000);
      await waitFor(() => receiver.lags.length >= n || undefined, { timeoutMs: 120_000, what: 'every event' });
    });
    receiver.close();
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(receiver.lags, p));
    rows.push([`${int(rate)}/s`, int(n), int(p50!), int(p95!), int(p99!), int(Math.max(...receiver.lags))]);
    targets.push({ name: `event lag p95 ≤1 s @${rate}/s`, pass: p95! <= 1_000, value: `${int(p95!)} ms` });
  }
  table(['rate', 'events', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], rows);

  section(`events: send path, N=${int(o.sendN)}, one endpoint (every event) vs none, sandbox ${LATENCY_MS} ms`);
  const file = await recipientsCsv(stack.dir, o.sendN, 919_000_000_000);
  const times: Record<'none' | 'one', number[]> = { none: [], one: [] };
  for (let round = 0; round < o.rounds; round += 1) {
    for (const which of round % 2 === 0 ? (['none', 'one'] as const) : (['one', 'none'] as const)) {
      const receiver = which === 'one' ? await startReceiver() : undefined;
      await withApps(stack, 100_000, receiver?.url, async (producer, worker) => {
        const up = await upload(producer, file.path, stack.imageUrl);
        const done = await waitCompleted(producer, up.id, worker, 600_000);
        times[which].push((Date.parse(done.completed_at!) - up.answeredAt) / 1000);
      });
      receiver?.close();
    }
  }
  const none = o.sendN / median(times.none);
  const one = o.sendN / median(times.one);
  table(
    ['endpoints', 'msg/s (median)', 'runs (s)'],
    [
      ['none', int(none), times.none.map((t) => fixed(t, 2)).join(' ')],
      ['one, every event', int(one), times.one.map((t) => fixed(t, 2)).join(' ')],
    ],
  );
  targets.push({ name: 'send with an endpoint ≥0.95×', pass: one / none >= 0.95, value: `${ratio(one / none)}×` });
  console.log(`  ratio ${ratio(one / none)}× ${verdict(one / none >= 0.95)}`);

  section(`events: Redis bytes per pending event, receiver down, ${int(o.pendingN)} events`);
  const downPort = await freePort(); // nothing listens there: connection refused, each retry scheduled
  const pendingFile = await recipientsCsv(stack.dir, o.pendingN, 917_500_000_000);
  let perEvent = NaN;
  await withApps(stack, 100_000, `http://127.0.0.1:${downPort}/hook`, async (producer, worker, endpoint) => {
    const up = await upload(producer, pendingFile.path, stack.imageUrl);
    await waitCompleted(producer, up.id, worker, 600_000);
    const pending = o.pendingN + 1; // every message.sent and the campaign.completed
    const health = await waitFor(
      async () => {
        const h = await api(producer, 'GET', `/v1/event-endpoints/${endpoint}/health`);
        return Number(h.backlog) >= pending ? h : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 500, what: 'every event pending' },
    );
    await worker.stop(); // nothing moves while we measure
    const prefix = producer.prefix;
    const keys = [`${prefix}:{ev}:q:${endpoint}`, `${prefix}:{c:${up.id}}:ev`, `${prefix}:{ev}:src`];
    let bytes = 0;
    for (const k of keys) bytes += Number((await stack.redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0);
    perEvent = bytes / Number(health.backlog);
    const before = await usedMemory(stack.redis);
    await api(producer, 'DELETE', `/v1/event-endpoints/${endpoint}`);
    await sleep(500); // UNLINK frees in the background
    const freed = before - (await usedMemory(stack.redis));
    table(
      ['pending', 'keys (MEMORY USAGE)', 'B / event', 'used_memory freed on remove', 'B / event'],
      [
        [
          int(Number(health.backlog)),
          int(bytes),
          fixed(perEvent, 1),
          int(freed),
          fixed(freed / Number(health.backlog), 1),
        ],
      ],
    );
  });
  targets.push({ name: 'bytes/pending event ≤200', pass: perEvent <= 200, value: `${fixed(perEvent, 0)} B` });
  return targets;
}
