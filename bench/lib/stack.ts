import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis, { type Redis } from 'ioredis';
import { request } from 'undici';
import {
  freePort,
  spawnApp,
  startRedisServer,
  waitFor,
  waitForHttp,
  type AppName,
  type AppProcess,
  type RedisServer,
} from '../../packages/devkit/src';
import { sleep } from './measure';

export const TOKEN = 'bench-token';
export const WEBHOOK_TOKEN = 'bench-webhook-token';
/** The sandbox's answer delay for every message (the issue fixes it at 20 ms). */
export const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
/** Requests in flight for every sender, the project's and the naive ones. */
export const CONCURRENCY = 100;

/** A Redis and a sandbox for the whole run, plus a scratch directory for the generated files. */
export interface Stack {
  redisUrl: string;
  redis: Redis;
  sandboxUrl: string;
  sandbox: AppProcess;
  imageUrl: string;
  dir: string;
  close(): Promise<void>;
}

/** A fresh key prefix (REDIS_PREFIX allows 1–32 letters, digits, _ or -). */
export const newPrefix = (tag: string) => `${tag}${randomBytes(3).toString('hex')}`;

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'sobot-bench-'));
  // AOF off: every contender hits the same Redis, and the fsync thread would only add noise on 2 cores.
  const server: RedisServer = await startRedisServer({ dir: join(dir, 'redis'), appendonly: false });
  const redis = new IORedis(server.url, { maxRetriesPerRequest: null });
  const port = await freePort();
  const sandbox = spawnApp('sandbox', {
    SANDBOX_PORT: String(port),
    SANDBOX_LATENCY_MS: String(LATENCY_MS),
    LOG_LEVEL: 'warn',
  });
  const sandboxUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${sandboxUrl}/_sandbox/health`).catch((err: Error) => {
    throw new Error(`${err.message}\n${sandbox.output()}`);
  });
  return {
    redisUrl: server.url,
    redis,
    sandboxUrl,
    sandbox,
    imageUrl: `${sandboxUrl}/images/sample.jpg`,
    dir,
    async close() {
      await sandbox.stop();
      redis.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SandboxSummary {
  total: number;
  accepted: number;
}

export async function sandboxStats(stack: Stack): Promise<SandboxSummary> {
  const res = await request(`${stack.sandboxUrl}/_sandbox/stats?summary=1`);
  return (await res.body.json()) as SandboxSummary;
}

/** When each request reached the sandbox since its last reset (ms epoch), earliest first. */
export async function sandboxArrivals(stack: Stack): Promise<number[]> {
  const res = await request(`${stack.sandboxUrl}/_sandbox/stats?received=1`);
  const stats = (await res.body.json()) as { received: Array<{ at: number }> };
  return stats.received.map((r) => r.at).sort((a, b) => a - b);
}

/** Clears the sandbox's record of requests (it keeps ~1 KB per request). */
export async function resetSandbox(stack: Stack): Promise<void> {
  const res = await request(`${stack.sandboxUrl}/_sandbox/reset`, { method: 'POST' });
  await res.body.dump();
}

/** spawnApp, with `--cpu-prof` when `profileDir` is given: the profile is written when the app exits on SIGTERM. */
function startApp(name: AppName, env: Record<string, string>, profileDir?: string): AppProcess {
  return spawnApp(
    name,
    { LOG_LEVEL: 'warn', ...env },
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
}

export interface Producer {
  app: AppProcess;
  url: string;
  prefix: string;
}

export async function startProducer(
  stack: Stack,
  prefix: string,
  profileDir?: string,
  env: Record<string, string> = {},
): Promise<Producer> {
  const port = await freePort();
  const app = startApp(
    'producer',
    {
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      API_KEYS: TOKEN,
      // The webhook is closed without one (SPEC §14); nothing in the benches posts to it.
      WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      LOG_LEVEL: 'warn',
      ...env,
    },
    profileDir,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${app.output()}`);
  });
  return { app, url, prefix };
}

export function startWorker(stack: Stack, prefix: string, sendRate: number, profileDir?: string): AppProcess {
  return startApp(
    'worker',
    {
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: prefix,
      SOBOT_API_URL: stack.sandboxUrl,
      SOBOT_API_KEY: 'x',
      SEND_RATE: String(sendRate),
      WORKER_CONCURRENCY: String(CONCURRENCY),
      // The same in flight as the contenders: the in-flight limit would otherwise grow past it (Little's law at
      // SEND_RATE 100,000), and the send path is compared at equal concurrency.
      WORKER_MAX_IN_FLIGHT: String(CONCURRENCY),
      // The benches send the same numbers again seconds apart (warm-up, rounds): the pair rate (SPEC §15, 6 s by
      // default) would rightly hold them, and the figure would measure that wait, not the send path.
      PAIR_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
    },
    profileDir,
  );
}

export interface Upload {
  id: string;
  accepted: number;
  /** Date.now() when the request started and when the 202 arrived. */
  startedAt: number;
  answeredAt: number;
}

/** Streams `file` as a raw text/csv body to POST /v1/campaigns, like a user's script would; `options` as query. */
export async function upload(
  producer: Producer,
  file: string,
  imageUrl: string,
  options: Record<string, string> = {},
): Promise<Upload> {
  const startedAt = Date.now();
  // Rounds upload the same list on purpose: force=true, or the second is 409 DUPLICATE_UPLOAD (SPEC §20).
  const query = new URLSearchParams({ image_url: imageUrl, name: 'bench', force: 'true', ...options });
  const res = await request(`${producer.url}/v1/campaigns?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
    body: createReadStream(file, { highWaterMark: 256 * 1024 }),
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  const answeredAt = Date.now();
  const body = (await res.body.json()) as { id?: string; accepted?: number };
  if (res.statusCode !== 202 || !body.id)
    throw new Error(`upload answered ${res.statusCode}: ${JSON.stringify(body).slice(0, 300)}`);
  return { id: body.id, accepted: body.accepted ?? 0, startedAt, answeredAt };
}

export interface CampaignState {
  status: string;
  counts: { total: number; pending: number; sent: number; failed: number };
  started_at: string | null;
  completed_at: string | null;
}

export async function campaign(producer: Producer, id: string): Promise<CampaignState> {
  const res = await request(`${producer.url}/v1/campaigns/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (res.statusCode !== 200) throw new Error(`GET campaign answered ${res.statusCode}: ${await res.body.text()}`);
  return (await res.body.json()) as CampaignState;
}

/** Polls the API until the campaign is completed; fails early when `worker` (an app) has exited. */
export async function waitCompleted(
  producer: Producer,
  id: string,
  worker?: AppProcess,
  timeoutMs = 300_000,
  pollMs = 100,
): Promise<CampaignState> {
  let last: CampaignState | undefined;
  await waitFor(
    async () => {
      if (worker && worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.output()}`);
      last = await campaign(producer, id);
      return last.status === 'completed';
    },
    { timeoutMs, intervalMs: pollMs, what: `campaign ${id} to complete` },
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last counts ${JSON.stringify(last?.counts)})`);
  });
  return last!;
}

/** Resolves once `app` printed `text` (or rejects when it exits first). */
export async function outputContains(app: AppProcess, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!app.output().includes(text)) {
    if (app.child.exitCode !== null) throw new Error(`process exited before printing "${text}":\n${app.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${app.output()}`);
    await sleep(20);
  }
}
