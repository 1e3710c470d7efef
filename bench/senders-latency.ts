/**
 * Reaching the rate at real upstream latency (SPEC §15, issue 22): one worker with default settings (no
 * WORKER_CONCURRENCY, no WORKER_MAX_IN_FLIGHT) against a sandbox answering in 20 ms, 300 ms and 1 s on average
 * (uniform jitter of ± half the mean), at SEND_RATE 100, 500 and 1,000. Each case: a fresh worker, a campaign
 * long enough to outlast the window, WARM_MS to settle (the in-flight limit grows from what it sees), then
 * achieved ÷ SEND_RATE over STEADY_MS of the sandbox's own record of arrivals. Target ≥ 0.95 × each.
 *
 *   pnpm bench -- senders-latency        (also `sendersLatencySection` for `pnpm bench -- senders`)
 *   env: BENCH_LATENCY_RATES (e.g. "100,500"), BENCH_LATENCY_MEANS (ms, e.g. "20,1000"), BENCH_LATENCY_STEADY_MS
 */
import { request } from 'undici';
import { spawnApp, waitFor, type AppProcess } from '../packages/devkit/src';
import { recipientsCsv } from './lib/csv-file';
import { fixed, int, sleep } from './lib/measure';
import { section, table, verdict, type Target } from './lib/report';
import { TOKEN, newPrefix, resetSandbox, startProducer, upload, type Producer, type Stack } from './lib/stack';

export interface SendersLatencyOptions {
  rates?: number[];
  /** Mean upstream latencies (ms); each answer takes a uniform time in [mean / 2, mean × 1.5]. */
  meansMs?: number[];
  /** Settling time before the measured window (ms). */
  warmMs?: number;
  /** The measured window (ms). */
  steadyMs?: number;
}

const TARGET = 0.95;

interface Case {
  rate: number;
  meanMs: number;
  achieved: number;
  ratio: number;
  maxConcurrent: number;
  limitedBy: string | null;
}

async function sandboxControl(stack: Stack, path: string, body?: unknown): Promise<unknown> {
  const res = await request(`${stack.sandboxUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.statusCode !== 200) throw new Error(`sandbox ${path} answered ${res.statusCode}: ${await res.body.text()}`);
  return res.body.json();
}

async function campaignView(producer: Producer, id: string): Promise<{ limited_by: string | null; status: string }> {
  const res = await request(`${producer.url}/v1/campaigns/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return (await res.body.json()) as { limited_by: string | null; status: string };
}

async function cancel(producer: Producer, id: string): Promise<void> {
  const res = await request(`${producer.url}/v1/campaigns/${id}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await res.body.dump();
}

/** One worker app as a user starts it: SEND_RATE and nothing else about sending. */
function defaultWorker(stack: Stack, prefix: string, rate: number): AppProcess {
  return spawnApp('worker', {
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: prefix,
    SOBOT_API_URL: stack.sandboxUrl,
    SOBOT_API_KEY: 'x',
    SEND_RATE: String(rate),
    LOG_LEVEL: 'warn',
  });
}

async function runCase(
  stack: Stack,
  producer: Producer,
  rate: number,
  meanMs: number,
  warmMs: number,
  steadyMs: number,
): Promise<Case> {
  await resetSandbox(stack); // also puts the faults back: set the latency after it
  await sandboxControl(stack, '/_sandbox/faults', { latencyMs: { min: meanMs / 2, max: meanMs * 1.5 } });
  const worker = defaultWorker(stack, producer.prefix, rate);
  // Long enough to outlast the window at the full rate (and the first answers' wait).
  const n = Math.ceil((rate * (warmMs + steadyMs + 2 * meanMs + 2_000)) / 1000);
  const file = await recipientsCsv(stack.dir, n, 918_000_000_000 + rate * 1_000_000 + meanMs);
  try {
    const up = await upload(producer, file.path, stack.imageUrl);
    const first = await waitFor(
      async () => {
        const s = (await sandboxControl(stack, '/_sandbox/stats?summary=1')) as { total: number };
        if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.output()}`);
        return s.total > 0 ? Date.now() : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 20, what: 'the first request' },
    );
    await sleep(Math.max(0, first + warmMs + steadyMs - Date.now()));
    const view = await campaignView(producer, up.id);
    await sleep(Math.max(500, 1.5 * meanMs)); // the window's last requests arrive (they are counted on arrival)
    const stats = (await sandboxControl(stack, '/_sandbox/stats?received=1')) as {
      received: Array<{ at: number }>;
      maxConcurrent: number;
    };
    const at = stats.received.map((r) => r.at).sort((a, b) => a - b);
    const start = at[0]! + warmMs;
    const inWindow = at.filter((t) => t >= start && t < start + steadyMs).length;
    const achieved = inWindow / (steadyMs / 1000);
    await cancel(producer, up.id);
    return {
      rate,
      meanMs,
      achieved,
      ratio: achieved / rate,
      maxConcurrent: stats.maxConcurrent,
      limitedBy: view.limited_by,
    };
  } finally {
    await worker.stop();
  }
}

/** Runs every (latency, rate) case; one target per case. */
export async function sendersLatencySection(stack: Stack, o: SendersLatencyOptions = {}): Promise<Target[]> {
  const rates = o.rates ?? [100, 500, 1_000];
  const means = o.meansMs ?? [20, 300, 1_000];
  const warmMs = o.warmMs ?? 3_000;
  const steadyMs = o.steadyMs ?? 4_000;
  section(
    `reaching the rate: one default worker, upstream ${means.join(' / ')} ms (± half), ` +
      `SEND_RATE ${rates.join(' / ')}, ${fixed(steadyMs / 1000, 0)} s measured after ${fixed(warmMs / 1000, 0)} s`,
  );
  const producer = await startProducer(stack, newPrefix('sl'));
  const cases: Case[] = [];
  try {
    for (const meanMs of means) {
      for (const rate of rates) {
        const c = await runCase(stack, producer, rate, meanMs, warmMs, steadyMs);
        cases.push(c);
        console.log(
          `  ${String(meanMs).padStart(5)} ms  ${String(rate).padStart(5)}/s  ${int(c.achieved).padStart(5)} msg/s` +
            `  ${fixed(c.ratio, 2)}×  upstream max concurrent ${c.maxConcurrent}  limited_by ${c.limitedBy}`,
        );
      }
    }
  } finally {
    await resetSandbox(stack).catch(() => undefined);
    await producer.app.stop();
  }
  console.log('');
  table(
    ['upstream mean', ...rates.map((r) => `${int(r)}/s`)],
    means.map((m) => [
      `${m} ms`,
      ...rates.map((r) => {
        const c = cases.find((x) => x.rate === r && x.meanMs === m)!;
        return `${fixed(c.ratio, 2)}× ${verdict(c.ratio >= TARGET)}`;
      }),
    ]),
  );
  return cases.map((c) => ({
    name: `rate@${c.meanMs}ms/${c.rate}/s ≥${TARGET}×`,
    pass: c.ratio >= TARGET,
    value: `${fixed(c.ratio, 2)}×`,
  }));
}

const list = (v: string | undefined) => v?.split(',').map(Number);

export const sendersLatencyOptionsFromEnv = (): SendersLatencyOptions => ({
  rates: list(process.env.BENCH_LATENCY_RATES),
  meansMs: list(process.env.BENCH_LATENCY_MEANS),
  steadyMs: process.env.BENCH_LATENCY_STEADY_MS ? Number(process.env.BENCH_LATENCY_STEADY_MS) : undefined,
});
