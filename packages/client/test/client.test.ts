import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type CampaignView,
  type ReportRow,
  SobotBulkApiError,
  SobotBulkClient,
  SobotBulkConnectionError,
  SobotBulkTimeoutError,
  backoffMs,
  retryAfterMs,
} from '../src';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: Seen, res: ServerResponse) => unknown;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[];
let dir: string;

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

const client = (retries?: number) => new SobotBulkClient({ baseUrl: `${baseUrl}/`, token: 'secret-token', retries });

function view(status: CampaignView['status'], sent: number): CampaignView {
  return {
    id: 'c0000000000000001',
    name: 'n',
    source: 'upload',
    lane: 'bulk',
    weight: 1,
    send_at: null,
    status,
    paused_reason: null,
    waiting_reason: null,
    image_url: null,
    caption: null,
    counts: {
      total: 2,
      pending: 2 - sent,
      sent,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      waiting: 0,
      delivered: 0,
      read: 0,
      delivery_failed: 0,
    },
    rows: { total: 2, accepted: 2, rejected: 0, duplicates: 0, suppressed: 0 },
    window: 'send',
    in_window: 0,
    failure_reasons: [],
    skip_reasons: [],
    rate: 1,
    eta_seconds: null,
    quiet_hours: null,
    waiting_until: null,
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: null,
    completed_at: null,
    updated_at: '2025-01-01T00:00:00.000Z',
  };
}

const row = (n: number, name: string): ReportRow => ({
  customer_number: `9199700000${n}`,
  customer_name: name,
  status: 'sent',
  wamid: `wamid.${n}`,
  error_code: '',
  error_message: '',
  attempts: 1,
  updated_at: '2025-01-01T00:00:00.000Z',
  delivery_status: 'sent',
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sobot-client-'));
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      void Promise.resolve(handler(entry, res)).catch((err: unknown) =>
        res.destroy(err instanceof Error ? err : undefined),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

beforeEach(() => {
  seen = [];
  handler = (_req, res) => json(res, 500, { error: { code: 'INTERNAL', message: 'no handler' } });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('errors', () => {
  it('maps the {error:{code,message,details}} body to SobotBulkApiError', async () => {
    handler = (_req, res) =>
      json(res, 404, { error: { code: 'NOT_FOUND', message: 'campaign c1 not found', details: { id: 'c1' } } });
    const err: unknown = await client()
      .getCampaign('c1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SobotBulkApiError);
    expect(err).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      message: 'campaign c1 not found',
      details: { id: 'c1' },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.authorization).toBe('Bearer secret-token');
    expect(seen[0]!.url).toBe('/v1/campaigns/c1');
  });

  it('gives a body that is not the error shape an HTTP_<status> code', async () => {
    handler = (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    await expect(client(0).listCampaigns()).rejects.toMatchObject({
      status: 502,
      code: 'HTTP_502',
      message: expect.stringContaining('Bad gateway'),
    });
  });

  it('takes a status this SDK does not know (a newer server), and refuses an answer of another shape', async () => {
    handler = (_req, res) => json(res, 200, view('scheduled', 0));
    await expect(client().getCampaign('c0000000000000001')).resolves.toMatchObject({ status: 'scheduled' });
    handler = (_req, res) => json(res, 200, { ok: true });
    await expect(client().getCampaign('c0000000000000001')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_req, res) => json(res, 200, { ...view('running', 0), status: '' });
    await expect(client().getCampaign('c0000000000000001')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('does not retry a 4xx', async () => {
    handler = (_req, res) => json(res, 409, { error: { code: 'INVALID_STATE', message: 'campaign is completed' } });
    await expect(client().pause('c1')).rejects.toMatchObject({ status: 409, code: 'INVALID_STATE' });
    expect(seen).toHaveLength(1);
  });

  it('says the API cannot be reached, after retrying an idempotent call', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const c = new SobotBulkClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'secret-token', retries: 1 });
    const err: unknown = await c.listCampaigns().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SobotBulkConnectionError);
    expect(err).toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') });
    expect(String(err)).not.toContain('secret-token');
  });
});

describe('retries', () => {
  it('retries sendMessages after a 503 with the same generated Idempotency-Key', async () => {
    handler = (_req, res) =>
      seen.length === 1
        ? json(res, 503, { error: { code: 'UNAVAILABLE', message: 'try again' } }, { 'retry-after': '0' })
        : json(res, 202, { campaign_id: 'c0000000000000001', ids: ['c0000000000000001-0'], replayed: false });
    const result = await client().sendMessages({
      customer_number: '919970000001',
      customer_name: 'A',
      url: 'https://x.test/a.jpg',
    });
    expect(result).toEqual({ campaign_id: 'c0000000000000001', ids: ['c0000000000000001-0'], replayed: false });
    expect(seen).toHaveLength(2);
    const [first, second] = seen;
    expect(first!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
    expect(second!.body).toBe(first!.body);
    expect(JSON.parse(first!.body)).toEqual({
      customer_number: '919970000001',
      customer_name: 'A',
      url: 'https://x.test/a.jpg',
    });
  });

  it('keeps a given idempotency key and wraps a batch in {messages}', async () => {
    handler = (_req, res) =>
      seen.length < 3
        ? json(res, 503, { error: { code: 'UNAVAILABLE', message: 'try again' } })
        : json(res, 202, { campaign_id: 'c0000000000000001', ids: ['a', 'b'], replayed: true });
    const batch = [{ customer_number: '1' }, { customer_number: '2' }];
    await expect(client().sendMessages(batch, { idempotencyKey: 'order-42' })).resolves.toMatchObject({
      replayed: true,
    });
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual(['order-42', 'order-42', 'order-42']);
    expect(JSON.parse(seen[0]!.body)).toEqual({ messages: batch });
  });

  it('retries a GET whose connection was reset', async () => {
    handler = (_req, res) => (seen.length === 1 ? res.socket?.destroy() : json(res, 200, view('running', 1)));
    await expect(client().getCampaign('c0000000000000001')).resolves.toMatchObject({ status: 'running' });
    expect(seen).toHaveLength(2);
  });

  it('gives up after `retries` retries', async () => {
    handler = (_req, res) => json(res, 503, { error: { code: 'UNAVAILABLE', message: 'down' } });
    await expect(client(2).resume('c1')).rejects.toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(seen).toHaveLength(3);
  });

  it('never retries an upload, on a 503 or a reset connection', async () => {
    handler = (_req, res) => json(res, 503, { error: { code: 'UNAVAILABLE', message: 'down' } });
    await expect(
      client().createCampaign({ rows: [{ phone: '919970000001', name: 'A' }], imageUrl: 'https://x.test/a.jpg' }),
    ).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);

    seen = [];
    handler = (_req, res) => res.socket?.destroy();
    const err: unknown = await client()
      .createCampaign({ stream: Readable.from(['phone,name\n', '919970000001,A\n']) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SobotBulkConnectionError);
    expect(seen).toHaveLength(1);
  });

  it('retries an upload given an idempotency key (a file read again, rows), also while in progress', async () => {
    const file = join(dir, 'retried.csv');
    await writeFile(file, 'phone,name\n919970000001,A\n');
    const done = { id: 'c0000000000000001', name: 'retried.csv', status: 'queued', total: 1, accepted: 1 };
    const answer = { ...done, rejected: 0, duplicates: 0, errors: [], replayed: true };
    handler = (_req, res) =>
      seen.length === 1
        ? json(res, 503, { error: { code: 'UNAVAILABLE', message: 'try again' } }, { 'retry-after': '0' })
        : seen.length === 2
          ? json(res, 409, { error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: 'wait' } }, { 'retry-after': '0' })
          : json(res, 202, answer);
    await expect(client().createCampaign({ file, idempotencyKey: 'list-7' })).resolves.toEqual(answer);
    expect(seen.map((r) => [r.headers['idempotency-key'], r.body])).toEqual(
      Array.from({ length: 3 }, () => ['list-7', 'phone,name\n919970000001,A\n']),
    );

    seen = [];
    handler = (_req, res) =>
      seen.length === 1 ? res.socket?.destroy() : json(res, 202, { ...answer, replayed: undefined });
    await client().createCampaign({ rows: [{ phone: '919970000001', name: 'A' }], idempotencyKey: 'rows-7' });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.body).toBe(seen[0]!.body);

    // Another 409 (the key reused with another file) is the caller's to fix: not retried.
    seen = [];
    handler = (_req, res) => json(res, 409, { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'other file' } });
    await expect(client().createCampaign({ file, idempotencyKey: 'list-8' })).rejects.toMatchObject({ status: 409 });
    expect(seen).toHaveLength(1);
  });

  it('backs off 200 ms × 2^n with jitter and reads Retry-After', () => {
    expect([0, 1, 2].map((n) => backoffMs(n, 0))).toEqual([100, 200, 400]);
    expect([0, 1, 2].map((n) => backoffMs(n, 0.999))).toEqual([200, 400, 800]);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 5_000)).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('uploads', () => {
  const result = {
    id: 'c0000000000000001',
    name: 'list.csv',
    status: 'queued',
    total: 1,
    accepted: 1,
    rejected: 0,
    duplicates: 0,
    errors: [],
  };

  it('streams a file as a raw body typed by its extension, options as query parameters', async () => {
    handler = (_req, res) => json(res, 202, result);
    const file = join(dir, 'list.csv');
    await writeFile(file, 'phone,name\n919970000001,A\n');
    await expect(
      client().createCampaign({
        file,
        imageUrl: 'https://x.test/a.jpg',
        caption: 'Hi & bye',
        strict: true,
        nameFallback: 'number',
      }),
    ).resolves.toEqual(result);
    const [req] = seen;
    expect(req!.headers['content-type']).toBe('text/csv');
    expect(req!.body).toBe('phone,name\n919970000001,A\n');
    const q = new URL(req!.url, baseUrl).searchParams;
    expect(Object.fromEntries(q)).toEqual({
      name: 'list.csv',
      image_url: 'https://x.test/a.jpg',
      caption: 'Hi & bye',
      strict: 'true',
      name_fallback: 'number',
    });
  });

  it('types NDJSON, JSON rows and an explicit format', async () => {
    handler = (_req, res) => json(res, 202, result);
    const file = join(dir, 'list.jsonl');
    await writeFile(file, '{"phone":"919970000001"}\n');
    await client().createCampaign({ file });
    await client().createCampaign({ rows: [{ phone: '919970000001' }], dryRun: true });
    await client().createCampaign({ stream: Readable.from([Buffer.from('{"phone":"1"}\n')]), format: 'ndjson' });
    expect(seen.map((s) => s.headers['content-type'])).toEqual([
      'application/x-ndjson',
      'application/json',
      'application/x-ndjson',
    ]);
    expect(seen[1]!.body).toBe('[{"phone":"919970000001"}]');
    expect(seen[1]!.url).toBe('/v1/campaigns?dry_run=true');
    expect(seen[2]!.url).toBe('/v1/campaigns?format=ndjson');
  });

  it('fails locally on a missing file, sending nothing', async () => {
    await expect(client().createCampaign({ file: join(dir, 'missing.csv') })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(seen).toHaveLength(0);
  });
});

describe('reports and waiting', () => {
  it('yields NDJSON rows while the report is still streaming, across chunk boundaries', async () => {
    const rows = [row(1, 'Zoë'), row(2, 'Ärjan'), row(3, 'Noor')];
    const bytes = Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const firstEnd = bytes.indexOf('\n') + 1;
    const umlaut = bytes.indexOf(Buffer.from('Ä')) + 1; // inside the two bytes of Ä
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(bytes.subarray(0, firstEnd - 3));
      res.write(bytes.subarray(firstEnd - 3, firstEnd));
      await released; // the rest only once the client has yielded the first row
      res.write(bytes.subarray(firstEnd, umlaut));
      res.write(bytes.subarray(umlaut, bytes.length - 1));
      res.end(bytes.subarray(bytes.length - 1));
    };
    const got: ReportRow[] = [];
    for await (const r of client().report('c0000000000000001')) {
      got.push(r);
      if (got.length === 1) release();
    }
    expect(got).toEqual(rows);
    expect(seen[0]!.url).toBe('/v1/campaigns/c0000000000000001/report?format=ndjson');
  });

  it('downloads a report to a file as it streams', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('customer_number,status\r\n');
      res.end('919970000001,sent\r\n');
    };
    const dest = join(dir, 'report.csv');
    await expect(client().downloadReport('c0000000000000001', 'csv', dest)).resolves.toEqual({ bytes: 43 });
    expect(await readFile(dest, 'utf8')).toBe('customer_number,status\r\n919970000001,sent\r\n');
    expect(seen[0]!.url).toBe('/v1/campaigns/c0000000000000001/report?format=csv');
  });

  it('waits until the campaign completes, reporting each view', async () => {
    handler = (_req, res) => json(res, 200, seen.length < 3 ? view('running', seen.length - 1) : view('completed', 2));
    const progress: number[] = [];
    const final = await client().waitForCampaign('c0000000000000001', {
      intervalMs: 5,
      onProgress: (v) => progress.push(v.counts.sent),
    });
    expect(final.status).toBe('completed');
    expect(progress).toEqual([0, 1, 2]);
  });

  it('stops waiting at timeoutMs with the last view', async () => {
    handler = (_req, res) => json(res, 200, view('paused', 0));
    const err: unknown = await client()
      .waitForCampaign('c0000000000000001', { intervalMs: 5, timeoutMs: 30 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SobotBulkTimeoutError);
    expect(err).toMatchObject({ code: 'WAIT_TIMEOUT', last: { status: 'paused' } });
  });
});
