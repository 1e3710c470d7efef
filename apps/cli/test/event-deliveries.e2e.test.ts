/**
 * `sobot events deliveries|replay` in-process against the real producer and a worker (processes), the sandbox as the
 * upstream and a receiver on loopback that refuses (500) until the test lets it accept.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { startSystem, startTestRedis, waitFor, type System, type TestRedis } from '@sobot/devkit';
import { runCli } from '../src/program';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let receiver: Server;
let hook: string;
let accepting = false;
const accepted: string[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 2 } });
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (accepting) accepted.push(String(req.headers['webhook-id']));
    res.writeHead(accepting ? 204 : 500).end();
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    workers: 0,
    workerEnv: { ALLOW_PRIVATE_URLS: 'true', EVENT_RETRY_SCHEDULE_MS: '50,50' },
  });
}, 90_000);

afterAll(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
});

async function sobot(...args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await runCli(['node', 'sobot', '--api', sys.url, '--token', sys.token, ...args], {
    stdout: out,
    stderr: err,
    env: {},
  });
  return { code, stdout, stderr };
}

test('lists the failed deliveries, replays one, and says what is wrong with a bad call', async () => {
  const added = await sobot('--json', 'events', 'endpoints', 'add', hook, '--events', 'message.sent');
  const ep = JSON.parse(added.stdout) as { id: string };
  sys.addWorker();
  const res = await sys.api('/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      customer_number: '919800000801',
      customer_name: 'A',
      url: `${sandbox.url}/images/sample.jpg`,
    }),
  });
  expect(res.status).toBe(202);
  const failed = await waitFor(
    async () => {
      const r = await sobot('--json', 'events', 'deliveries', ep.id);
      const list = JSON.parse(r.stdout) as Array<{ id: string; attempts: number; last_status: number }>;
      return list.length === 1 ? list[0] : undefined;
    },
    { timeoutMs: 60_000, what: 'a failed delivery' },
  );
  expect(failed).toMatchObject({ type: 'message.sent', status: 'failed', attempts: 3, last_status: 500 });
  const text = await sobot('events', 'deliveries', ep.id);
  expect(text.stdout).toContain(failed.id);
  expect(text.stdout).toContain('last 500');

  expect((await sobot('events', 'replay', ep.id)).code).toBe(2);
  expect((await sobot('events', 'replay', ep.id, '--since', 'yesterday')).code).toBe(2);
  expect((await sobot('events', 'deliveries', ep.id, '--status', 'lost')).code).toBe(2);
  expect((await sobot('events', 'replay', ep.id, '--id', 'evt_nope')).code).toBe(5);

  accepting = true;
  const replayed = await sobot('events', 'replay', ep.id, '--id', failed.id);
  expect([replayed.code, replayed.stdout.trim()]).toEqual([0, 'replayed 1 delivery: due now']);
  await waitFor(() => accepted.includes(failed.id) || undefined, { timeoutMs: 30_000 });
  expect((await sobot('events', 'deliveries', ep.id)).stdout.trim()).toBe('no failed deliveries');
  const since = await sobot('events', 'replay', ep.id, '--since', '2020-01-01T00:00:00Z');
  expect(since.stdout.trim()).toBe('replayed 0 deliveries: due now');
}, 120_000);
