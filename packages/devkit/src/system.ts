import type { ReportRow } from '@sobot/schema';
import { randomBytes } from 'node:crypto';
import { freePort } from './free-port';
import { spawnApp, waitForHttp, type AppProcess } from './processes';
import { waitFor } from './wait-for';

export interface SystemOptions {
  redisUrl: string;
  prefix: string;
  /** Where the workers send (`${sobotUrl}/message/`). */
  sobotUrl: string;
  workers?: number;
  /** Environment for the producer and the workers. */
  env?: Record<string, string>;
  /** Environment for the workers only. */
  workerEnv?: Record<string, string>;
}

/** Campaign view fields the tests read (see @sobot/schema CampaignView). */
export interface CampaignState {
  id: string;
  status: string;
  paused_reason: string | null;
  counts: {
    total: number;
    pending: number;
    sent: number;
    failed: number;
    skipped: number;
    cancelled: number;
    delivered: number;
    read: number;
  };
  failure_reasons: Array<{ code: string; count: number; message: string }>;
  skip_reasons: Array<{ code: string; count: number; message: string }>;
}

/** One report row as the API sends it. */
export type ReportLine = ReportRow;

/** The JSON body of a response, for tests that read a few fields of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(res: Response): Promise<any> {
  return res.json();
}

export interface System {
  url: string;
  token: string;
  producer: AppProcess;
  workers: AppProcess[];
  api(path: string, init?: RequestInit): Promise<Response>;
  /** POST /v1/campaigns with a raw body; returns status and parsed JSON. */
  upload(body: string, query: Record<string, string>, contentType?: string): Promise<{ status: number; body: any }>;
  campaign(id: string): Promise<CampaignState>;
  waitForCampaign(id: string, until: (c: CampaignState) => boolean, timeoutMs?: number): Promise<CampaignState>;
  reportRows(id: string): Promise<ReportLine[]>;
  addWorker(env?: Record<string, string>): AppProcess;
  /** Every line every process printed. */
  logs(): string;
  close(): Promise<void>;
}

/**
 * The product as a user runs it, for end-to-end tests: `pnpm producer` and N × `pnpm worker` as real
 * processes against a Redis and a Sobot stand-in that the test started.
 */
export async function startSystem(o: SystemOptions): Promise<System> {
  const port = await freePort();
  const token = `t-${randomBytes(8).toString('hex')}`;
  const common = { REDIS_URL: o.redisUrl, REDIS_PREFIX: o.prefix, LOG_LEVEL: 'info', ...o.env };
  // The test's image host (the sandbox) is on loopback: the producer may fetch it (SPEC §14, ALLOW_PRIVATE_URLS).
  const producer = spawnApp('producer', {
    ALLOW_PRIVATE_URLS: 'true',
    ...common,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: token,
  });
  const workerEnv = {
    ...common,
    SOBOT_API_URL: o.sobotUrl,
    SOBOT_API_KEY: 'test-key',
    SOBOT_API_SECRET: 'test-secret',
    ...o.workerEnv,
  };
  const retired: AppProcess[] = [];
  const workers: AppProcess[] = [];
  const addWorker = (env: Record<string, string> = {}) => {
    const w = spawnApp('worker', { ...workerEnv, ...env });
    workers.push(w);
    return w;
  };
  for (let i = 0; i < (o.workers ?? 1); i += 1) addWorker();
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, 60_000);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const campaign = async (id: string) => (await (await api(`/v1/campaigns/${id}`)).json()) as CampaignState;
  return {
    url,
    token,
    producer,
    workers,
    api,
    async upload(body, query, contentType = 'text/csv') {
      const res = await api(`/v1/campaigns?${new URLSearchParams(query)}`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      return { status: res.status, body: await res.json() };
    },
    campaign,
    waitForCampaign: (id, until, timeoutMs = 60_000) =>
      waitFor(
        async () => {
          const c = await campaign(id);
          return until(c) ? c : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `campaign ${id}` },
      ),
    async reportRows(id) {
      const text = await (await api(`/v1/campaigns/${id}/report?format=ndjson`)).text();
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as ReportLine);
    },
    addWorker,
    logs: () => [producer, ...workers, ...retired].map((p) => p.output()).join('\n'),
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      await producer.stop('SIGTERM');
    },
  };
}
