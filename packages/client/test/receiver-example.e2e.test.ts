/**
 * The README's receiver ("Receiving events") run as written, as its own process (tsx), with a signer written here
 * from the Standard Webhooks spec: a signed event is answered 204 and printed, a tampered or unsigned one 400.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '@sobot/devkit';

const PACKAGE_DIR = resolve(__dirname, '..');
const EXAMPLE = join(PACKAGE_DIR, 'test', '.receiver-example.mts');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
let child: ChildProcess;
let url: string;
let stdout = '';

beforeAll(async () => {
  const readme = await readFile(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Receiving events'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no receiver example');
  expect(block.trim().split('\n').length).toBeLessThanOrEqual(16);
  await writeFile(EXAMPLE, block);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  child = spawn(process.execPath, ['--import', 'tsx', EXAMPLE], {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH, PORT: String(port), EVENT_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitFor(() => fetch(url, { method: 'POST' }).then(() => true), { what: 'the example receiver' });
}, 60_000);

afterAll(async () => {
  child?.kill();
  await rm(EXAMPLE, { force: true });
});

function signed(body: string, secret = SECRET) {
  const id = `evt_${randomBytes(8).toString('hex')}`;
  const ts = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': ts,
    'webhook-signature': `v1,${mac}`,
    'content-type': 'application/json',
  };
}

test('a signed event is 204 and handled; tampered, unsigned or foreign ones are 400', async () => {
  const body = JSON.stringify({ id: 'evt_1', type: 'message.sent', created_at: 'now', data: { message_id: 'm-42' } });
  const ok = await fetch(url, { method: 'POST', headers: signed(body), body });
  expect(ok.status).toBe(204);
  await waitFor(() => stdout.includes('message.sent') && stdout.includes('m-42'), { what: 'the printed event' });
  const tampered = await fetch(url, { method: 'POST', headers: signed(body), body: body.replace('42', '43') });
  expect(tampered.status).toBe(400);
  const foreign = `whsec_${randomBytes(32).toString('base64')}`;
  expect((await fetch(url, { method: 'POST', headers: signed(body, foreign), body })).status).toBe(400);
  expect((await fetch(url, { method: 'POST', body })).status).toBe(400);
  expect(stdout.match(/message\.sent/g)).toHaveLength(1);
});
