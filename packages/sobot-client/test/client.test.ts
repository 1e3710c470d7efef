import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '@sobot/devkit';
import type { SobotImageMessage } from '@sobot/schema';
// @sobot/sandbox is not a dependency of this package (it would need a devDependency): reached by path.
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import {
  RateLimitedError,
  RejectedError,
  SendingBlockedError,
  SobotClient,
  UnavailableError,
  type SobotClientOptions,
} from '../src';

const KEY = 'key-live-1';
const SECRET = 'secret-live-1';

const MESSAGE: SobotImageMessage = {
  type: 'image',
  url: 'https://cdn.example.com/images/photo.jpg',
  mime_type: 'image/jpeg',
  customer_number: '919970000001',
  customer_name: 'Asha Rao',
  caption: 'Diwali offer: 20% off',
};

let sandbox: Sandbox;
const opened: Array<{ close(): Promise<unknown> }> = [];

function client(opts: Partial<SobotClientOptions> = {}): SobotClient {
  const c = new SobotClient({
    baseUrl: sandbox.url,
    apiKey: KEY,
    apiSecret: SECRET,
    connections: 2,
    timeoutMs: 5_000,
    ...opts,
  });
  opened.push(c);
  return c;
}

/** The error a send rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error('expected the send to fail');
}

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP server in front of the sandbox that keeps every request exactly as it arrived. */
async function recorder(target: string): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(Buffer.from(c));
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const forwarded = await fetch(`${target}/message/`, {
      method: 'POST',
      headers: { 'x-api-key': String(req.headers['x-api-key']), 'x-api-secret': String(req.headers['x-api-secret']) },
      body,
    });
    res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
    res.end(await forwarded.text());
  });
  return { url: await listen(server), requests };
}

/** A server that gives every request the same raw answer (what the sandbox never does). */
async function fixedAnswer(status: number, contentType: string, body: string): Promise<string> {
  return listen(createServer((_req, res) => res.writeHead(status, { 'content-type': contentType }).end(body)));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: KEY, apiSecret: SECRET });
});

afterEach(() => sandbox.reset());

afterAll(async () => {
  // Clients first: their sockets point at the servers.
  for (const c of opened.reverse()) await c.close();
  await sandbox?.close();
});

describe('SobotClient against the sandbox', () => {
  it('resolves with the wamid the sandbox answered', async () => {
    const sent = await client().send(MESSAGE);
    expect(sent.status).toBe('submitted');
    expect(sandbox.stats().wamids[MESSAGE.customer_number]).toEqual([sent.wamid]);
    expect(sent.wamid).toMatch(/^wamid\./);
  });

  it('sends exactly the reference request: POST /message/, key headers, a JSON body of the image fields', async () => {
    const rec = await recorder(sandbox.url);
    const c = client({ baseUrl: `${rec.url}/v1/` });
    const noCaption: SobotImageMessage = { ...MESSAGE, customer_number: '919970000002' };
    delete noCaption.caption;
    await c.send(MESSAGE);
    await c.send(noCaption);

    expect(rec.requests).toHaveLength(2);
    const [withCap, without] = rec.requests;
    expect(withCap).toMatchObject({ method: 'POST', url: '/v1/message/' });
    expect(withCap!.headers).toMatchObject({
      'x-api-key': KEY,
      'x-api-secret': SECRET,
      'content-type': 'application/json',
    });
    expect(JSON.parse(withCap!.body)).toStrictEqual({
      type: 'image',
      url: 'https://cdn.example.com/images/photo.jpg',
      mime_type: 'image/jpeg',
      customer_number: '919970000001',
      customer_name: 'Asha Rao',
      caption: 'Diwali offer: 20% off',
    });
    // No caption: the key is absent, not null or empty.
    expect(Object.keys(JSON.parse(without!.body)).sort()).toEqual([
      'customer_name',
      'customer_number',
      'mime_type',
      'type',
      'url',
    ]);
    expect(sandbox.stats().outcomes.ok).toBe(2);
  });

  it('turns a validation 400 into RejectedError carrying the sandbox message', async () => {
    const bad = { ...MESSAGE, caption: 'x'.repeat(1025) };
    const direct = await fetch(`${sandbox.url}/message/`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'x-api-secret': SECRET },
      body: JSON.stringify(bad),
    });
    const expected = ((await direct.json()) as { message: string }).message;
    expect(expected).toMatch(/caption/);

    const err = await failure(client().send(bad));
    expect(err).toBeInstanceOf(RejectedError);
    expect(err).toMatchObject({ code: '400', message: expected });
  });

  it('turns a number outside the 24-hour window into RejectedError 131047', async () => {
    sandbox.setFaults({ closedNumbers: [MESSAGE.customer_number] });
    const err = await failure(client().send(MESSAGE));
    expect(err).toBeInstanceOf(RejectedError);
    expect(err).toMatchObject({ code: '131047', message: 'Re-engagement message' });
  });

  it('turns a wrong key (401) into SendingBlockedError 401, without echoing the key', async () => {
    const err = await failure(client({ apiKey: 'not-the-key-xyz' }).send(MESSAGE));
    expect(err).toBeInstanceOf(SendingBlockedError);
    expect(err).toMatchObject({ code: '401', probeEveryMs: 30_000 });
    expect(err.message).not.toContain('not-the-key-xyz');
    expect(sandbox.stats().outcomes['401']).toBe(1);
  });

  it('turns a 429 into RateLimitedError with Retry-After in ms', async () => {
    sandbox.setFaults({ rateLimitRatio: 1 });
    const err = await failure(client().send(MESSAGE));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ code: '429', retryAfterMs: 1000 });

    sandbox.setFaults({ retryAfterSeconds: 7 });
    expect(await failure(client().send(MESSAGE))).toMatchObject({ retryAfterMs: 7000 });
  });

  it('turns a 503 into UnavailableError HTTP_503', async () => {
    sandbox.setFaults({ errorRatio: 1, errorStatus: 503 });
    const err = await failure(client().send(MESSAGE));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: 'HTTP_503' });
  });

  it('turns a reset connection into UnavailableError CONNECTION_RESET', async () => {
    sandbox.setFaults({ resetRatio: 1 });
    const err = await failure(client().send(MESSAGE));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: 'CONNECTION_RESET' });
  });

  it('cuts a hung request after timeoutMs with UnavailableError TIMEOUT', async () => {
    sandbox.setFaults({ hangRatio: 1 });
    const started = performance.now();
    const err = await failure(client({ timeoutMs: 300 }).send(MESSAGE));
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: 'TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);
    expect(sandbox.stats().outcomes.hang).toBe(1);
  });

  it('turns a refused connection into UnavailableError CONNECTION_REFUSED', async () => {
    const err = await failure(client({ baseUrl: `http://127.0.0.1:${await freePort()}` }).send(MESSAGE));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: 'CONNECTION_REFUSED' });
  });

  it('fails a 200 without data.id as RejectedError NO_WAMID (never re-sent)', async () => {
    const url = await fixedAnswer(200, 'application/json', '{"message":"ok","code":200}');
    const err = await failure(client({ baseUrl: url }).send(MESSAGE));
    expect(err).toBeInstanceOf(RejectedError);
    expect(err).toMatchObject({ code: 'NO_WAMID' });
  });

  it('treats a non-JSON 502 from a proxy as UnavailableError HTTP_502', async () => {
    const url = await fixedAnswer(502, 'text/html', '<html><body>Bad gateway</body></html>');
    const err = await failure(client({ baseUrl: url }).send(MESSAGE));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: 'HTTP_502' });
    expect(err.message).toContain('Bad gateway');
  });
});
