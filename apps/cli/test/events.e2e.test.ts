/**
 * `sobot events endpoints …` in-process (runCli with the test's own streams) against the real producer as a process
 * (devkit startSystem, ALLOW_PRIVATE_URLS) and a receiver of the test's own on loopback.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { verifyEvent } from '@sobot/client';
import { startSystem, startTestRedis, type System, type TestRedis } from '@sobot/devkit';
import { runCli } from '../src/program';

let redis: TestRedis;
let sys: System;
let receiver: Server;
let hook: string;
let status = 204;
const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

beforeAll(async () => {
  redis = await startTestRedis();
  sys = await startSystem({ redisUrl: redis.url, prefix: redis.prefix, sobotUrl: 'http://127.0.0.1:9', workers: 0 });
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(status).end();
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 90_000);

afterAll(async () => {
  receiver?.close();
  await sys?.close();
  await redis?.close();
});

async function sobot(...args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  // commander reads --api / --token defaults from process.env: given as flags here.
  const code = await runCli(['node', 'sobot', '--api', sys.url, '--token', sys.token, ...args], {
    stdout: out,
    stderr: err,
    env: {},
  });
  return { code, stdout, stderr };
}

test('add prints the secret once; list, test, rotate and remove; exit codes say what happened', async () => {
  const added = await sobot('--json', 'events', 'endpoints', 'add', hook, '--events', 'message.sent,message.read');
  expect(added.code).toBe(0);
  const ep = JSON.parse(added.stdout);
  expect(ep).toMatchObject({
    url: hook,
    events: ['message.sent', 'message.read'],
    secret: expect.stringMatching(/^whsec_/),
  });

  const list = await sobot('events', 'endpoints', 'list');
  expect(list.code).toBe(0);
  expect(list.stdout).toContain(`${ep.id}  ${hook}  message.sent,message.read`);
  expect(list.stdout).not.toContain('whsec_');

  const tested = await sobot('events', 'endpoints', 'test', ep.id);
  expect([tested.code, tested.stdout]).toEqual([0, expect.stringMatching(/^delivered: the receiver answered 204/)]);
  expect(verifyEvent(received[0]!.body, received[0]!.headers, ep.secret).type).toBe('endpoint.test');

  const rotated = await sobot('events', 'endpoints', 'rotate', ep.id);
  expect(rotated.code).toBe(0);
  const secret = /secret: (whsec_\S+)/.exec(rotated.stdout)![1]!;
  status = 503;
  const refused = await sobot('events', 'endpoints', 'test', ep.id);
  expect([refused.code, refused.stdout]).toEqual([
    6,
    expect.stringContaining('not accepted: the receiver answered 503'),
  ]);
  for (const s of [ep.secret, secret])
    expect(verifyEvent(received[1]!.body, received[1]!.headers, s).type).toBe('endpoint.test');

  expect((await sobot('events', 'endpoints', 'remove', ep.id)).stdout).toContain(`removed ${ep.id}`);
  const gone = await sobot('events', 'endpoints', 'remove', ep.id);
  expect(gone.code).toBe(5);
  expect((await sobot('events', 'endpoints', 'add', hook, '--events', 'message.lost')).code).toBe(2);
  expect((await sobot('events', 'endpoints', 'list')).stdout).toBe('no event endpoints\n');
  // The producer's log never carries a secret.
  expect(sys.logs()).not.toContain(ep.secret.slice('whsec_'.length));
  expect(sys.logs()).not.toContain(secret.slice('whsec_'.length));
});
