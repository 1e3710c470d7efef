/**
 * Lanes (SPEC §10, issue 12), measured on the sandbox's own record of arrivals (when each request reached it,
 * and for which number), with the producer and the workers as real processes:
 *   transactional — a bulk campaign saturates SEND_RATE (10, 100, then 1,000); messages from `POST /v1/messages`
 *                   are spaced over the run, each on a number of its own; latency is from the 202 arriving at
 *                   the caller to the request reaching the sandbox (20 ms answers). Target p95 ≤ 1 s.
 *   fair share    — 2 and then 5 bulk campaigns of different sizes, uploaded one after another, and one run
 *                   with weights 1 and 3; each campaign's numbers have a prefix of their own. From the first
 *                   send of the last campaign to start, each full 10 s window's sends are split by campaign:
 *                   share ÷ (weight ÷ Σ weights) must stay within 0.9–1.1 in every window.
 *   rate          — over each run's saturated period, the busiest one-second window (sliding, to the ms) and
 *                   the mean, both ÷ SEND_RATE: ≤ 1.1 and ≥ 0.9.
 * Every run has its own key prefix, producer and workers, warmed up first; campaigns are cancelled once measured.
 */
import { request } from 'undici';
import { recipientsCsv } from '../lib/csv-file';
import { fixed, int, ratio, sleep } from '../lib/measure';
import { section, table, verdict, type Target } from '../lib/report';
import {
  LATENCY_MS,
  TOKEN,
  campaign,
  newPrefix,
  resetSandbox,
  startProducer,
  startWorker,
  upload,
  waitCompleted,
  type Producer,
  type Stack,
  type Upload,
} from '../lib/stack';
import type { AppProcess } from '../../packages/devkit/src';

export interface LanesOptions {
  /** Worker processes sharing the rate in every run. */
  workers: number;
  /** SEND_RATE of the fair-share runs. */
  fairRate: number;
  /** Full 10 s windows measured per fair-share run. */
  windows: number;
}

const WINDOW_MS = 10_000;
const P95_CEILING_MS = 1_000;

interface Arrival {
  at: number;
  number: string;
}

/** Every request the sandbox received since its last reset, in arrival order. */
async function arrivals(stack: Stack): Promise<Arrival[]> {
  const res = await request(`${stack.sandboxUrl}/_sandbox/stats?received=1`);
  const stats = (await res.body.json()) as { received: Arrival[] };
  return stats.received.map((r) => ({ at: r.at, number: r.number })).sort((a, b) => a.at - b.at);
}

async function cancel(producer: Producer, id: string): Promise<void> {
  const res = await request(`${producer.url}/v1/campaigns/${id}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await res.body.dump();
}

/** POST /v1/messages for one number; resolves with Date.now() when the 202 arrived. */
async function sendMessage(producer: Producer, imageUrl: string, number: string): Promise<number> {
  const res = await request(`${producer.url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customer_number: number, customer_name: 'Order update', url: imageUrl }),
  });
  const answeredAt = Date.now();
  const text = await res.body.text();
  if (res.statusCode !== 202) throw new Error(`POST /v1/messages answered ${res.statusCode}: ${text.slice(0, 300)}`);
  return answeredAt;
}

/**
 * Producer and `workers` worker processes on a fresh prefix, at `rate`, warmed up like the send section's: a
 * campaign of a few seconds of the rate sent to the end first (code compiled and hot, connections open, scripts
 * loaded), so that what is measured is the steady state, not a process's first seconds.
 */
async function startRun(stack: Stack, tag: string, rate: number, workers: number) {
  const prefix = newPrefix(tag);
  const procs: AppProcess[] = Array.from({ length: workers }, () => startWorker(stack, prefix, rate));
  const producer = await startProducer(stack, prefix);
  const warm = await upload(producer, (await recipientsCsv(stack.dir, rate * 3, 916_000_000_000)).path, stack.imageUrl);
  await waitCompleted(producer, warm.id, procs[0], 120_000);
  await resetSandbox(stack);
  return {
    producer,
    async stop() {
      await Promise.all([...procs.map((w) => w.stop()), producer.app.stop()]);
    },
    alive() {
      const dead = procs.find((w) => w.child.exitCode !== null);
      if (dead) throw new Error(`a worker exited:\n${dead.output()}`);
    },
  };
}

/** The busiest one-second window (sliding) and the mean rate of the arrivals within [from, to). */
function rateWindow(times: number[], from: number, to: number) {
  const t = times.filter((x) => x >= from && x < to);
  let peak = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= 1_000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return { peak, mean: t.length / ((to - from) / 1_000), requests: t.length, seconds: (to - from) / 1_000 };
}

interface RateRow {
  run: string;
  rate: number;
  peak: number;
  mean: number;
  seconds: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** Waits until `pred` holds, checking the workers are alive. */
async function until(pred: () => Promise<boolean>, alive: () => void, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    alive();
    if (Date.now() > deadline) throw new Error(`lanes bench: no ${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

interface LatencyResult {
  p50: number;
  p95: number;
  max: number;
  n: number;
  rate: RateRow;
}

/** A bulk campaign saturating `rate`, and `n` transactional messages spaced over `spreadMs`. */
async function transactionalRun(
  stack: Stack,
  o: LanesOptions,
  rate: number,
  n: number,
  spreadMs: number,
): Promise<LatencyResult> {
  // Enough bulk for the whole run and more: it must still be sending when the last message goes out.
  const bulkFile = await recipientsCsv(stack.dir, Math.round(rate * (spreadMs / 1_000 + 15)), 918_000_000_000);
  const run = await startRun(stack, 'lt', rate, o.workers);
  try {
    const bulk = await upload(run.producer, bulkFile.path, stack.imageUrl);
    // Saturated once the bulk campaign has sent three seconds' worth (its canary chunk and ramp are behind it).
    await until(
      async () => (await campaign(run.producer, bulk.id)).counts.sent >= 3 * rate,
      run.alive,
      'bulk campaign saturating the rate',
    );
    const from = Date.now();
    const numbers = Array.from({ length: n }, (_, i) => String(919_100_000_000 + i));
    const answered = new Map<string, number>();
    const gap = spreadMs / n;
    await Promise.all(
      numbers.map(async (number, i) => {
        await sleep(i * gap);
        answered.set(number, await sendMessage(run.producer, stack.imageUrl, number));
      }),
    );
    // Every message reached the sandbox (or 10 s passed: a missing one counts as 10 s).
    const deadline = Date.now() + 10_000;
    let seen: Arrival[] = [];
    for (;;) {
      seen = await arrivals(stack);
      const got = new Set(seen.filter((a) => answered.has(a.number)).map((a) => a.number));
      if (got.size === n || Date.now() > deadline) break;
      await sleep(200);
    }
    const to = Date.now();
    const c = await campaign(run.producer, bulk.id);
    if (c.status === 'completed') console.log('  ⚠ the bulk campaign completed before the end of the run');
    await cancel(run.producer, bulk.id);
    const first = new Map<string, number>();
    for (const a of seen) if (answered.has(a.number) && !first.has(a.number)) first.set(a.number, a.at);
    const latencies = numbers.map((x) => (first.get(x) ?? answered.get(x)! + 10_000) - answered.get(x)!);
    latencies.sort((a, b) => a - b);
    const r = rateWindow(
      seen.map((a) => a.at),
      from,
      to,
    );
    return {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: latencies[latencies.length - 1]!,
      n,
      rate: { run: `transactional @${int(rate)}`, rate, peak: r.peak, mean: r.mean, seconds: r.seconds },
    };
  } finally {
    await run.stop();
  }
}

interface FairCampaign {
  size: number;
  weight: number;
}

interface FairResult {
  label: string;
  /** Per campaign: weight, size, seconds from its 202 to its first send, share ÷ fair share per window. */
  rows: Array<{ weight: number; size: number; startS: number; ratios: number[] }>;
  windows: number;
  minRatio: number;
  maxRatio: number;
  rate: RateRow;
}

/** Bulk campaigns uploaded one after another; their shares per 10 s window once all have started. */
async function fairRun(stack: Stack, o: LanesOptions, label: string, list: FairCampaign[]): Promise<FairResult> {
  const base = (k: number) => 917_000_000_000 + (k + 1) * 10_000_000;
  const files = [];
  for (const [k, c] of list.entries()) files.push(await recipientsCsv(stack.dir, c.size, base(k)));
  const run = await startRun(stack, 'lf', o.fairRate, o.workers);
  try {
    const ups: Upload[] = [];
    for (const [k, c] of list.entries())
      ups.push(await upload(run.producer, files[k]!.path, stack.imageUrl, { weight: String(c.weight) }));
    const last = ups[ups.length - 1]!;
    await until(
      async () => (await campaign(run.producer, last.id)).counts.sent > 0,
      run.alive,
      'send of the last campaign',
    );
    // The windows start at the last campaign's first send: wait for them to pass, then read the arrivals.
    let seen = await arrivals(stack);
    const owner = (number: string) => Math.floor((Number(number) - 917_000_000_000) / 10_000_000) - 1;
    const t0 = seen.find((a) => owner(a.number) === list.length - 1)!.at;
    await sleep(Math.max(0, t0 + o.windows * WINDOW_MS + 500 - Date.now()));
    run.alive();
    seen = await arrivals(stack);
    const states = await Promise.all(ups.map((u) => campaign(run.producer, u.id)));
    for (const u of ups) await cancel(run.producer, u.id);
    // A campaign that ran out ends the comparison at its last send.
    let end = t0 + o.windows * WINDOW_MS;
    for (const [k, s] of states.entries()) {
      if (s.status !== 'completed') continue;
      const lastAt = seen.filter((a) => owner(a.number) === k).at(-1)?.at ?? t0;
      end = Math.min(end, lastAt);
      console.log(`  ⚠ campaign ${k + 1} completed during the measurement`);
    }
    const windows = Math.floor((end - t0) / WINDOW_MS);
    const totalWeight = list.reduce((a, c) => a + c.weight, 0);
    const rows = list.map((c, k) => {
      const firstAt = seen.find((a) => owner(a.number) === k)?.at ?? Number.NaN;
      return { weight: c.weight, size: c.size, startS: (firstAt - ups[k]!.answeredAt) / 1_000, ratios: [] as number[] };
    });
    for (let w = 0; w < windows; w++) {
      const lo = t0 + w * WINDOW_MS;
      const counts = list.map(() => 0);
      for (const a of seen) if (a.at >= lo && a.at < lo + WINDOW_MS) counts[owner(a.number)]! += 1;
      const sum = counts.reduce((a, b) => a + b, 0);
      for (const [k, c] of list.entries()) rows[k]!.ratios.push(counts[k]! / sum / (c.weight / totalWeight));
    }
    const all = rows.flatMap((r) => r.ratios);
    const r = rateWindow(
      seen.map((a) => a.at),
      t0,
      t0 + windows * WINDOW_MS,
    );
    return {
      label,
      rows,
      windows,
      minRatio: all.length > 0 ? Math.min(...all) : 0,
      maxRatio: all.length > 0 ? Math.max(...all) : Number.POSITIVE_INFINITY,
      rate: { run: label, rate: o.fairRate, peak: r.peak, mean: r.mean, seconds: r.seconds },
    };
  } finally {
    await run.stop();
  }
}

export async function lanesSection(stack: Stack, o: LanesOptions): Promise<Target[]> {
  section(
    `lanes: sandbox ${LATENCY_MS} ms, ${o.workers} worker process${o.workers > 1 ? 'es' : ''}, ` +
      `fair share at SEND_RATE ${int(o.fairRate)}`,
  );
  const targets: Target[] = [];
  const rates: RateRow[] = [];

  console.log('\n  transactional latency (202 → request at the sandbox) while a bulk campaign saturates SEND_RATE');
  const latency: Array<[number, LatencyResult]> = [];
  for (const [rate, n] of [
    [10, 20],
    [100, 50],
    [1_000, 200],
  ] as const) {
    const r = await transactionalRun(stack, o, rate, n, 10_000);
    latency.push([rate, r]);
    rates.push(r.rate);
  }
  table(
    ['SEND_RATE', 'messages', 'p50 ms', 'p95 ms', 'max ms', 'p95 ÷ 1 s', ''],
    latency.map(([rate, r]) => [
      int(rate),
      r.n,
      int(r.p50),
      int(r.p95),
      int(r.max),
      ratio(r.p95 / P95_CEILING_MS),
      verdict(r.p95 <= P95_CEILING_MS),
    ]),
  );
  for (const [rate, r] of latency)
    targets.push({
      name: `tx p95 ≤1 s @${int(rate)}`,
      pass: r.p95 <= P95_CEILING_MS,
      value: `${ratio(r.p95 / P95_CEILING_MS)}× (${int(r.p95)} ms)`,
    });

  const sizes = (rate: number, n: number, factors: number[]) =>
    factors.map((f) => Math.round((rate / n) * (o.windows * 10 + 8) * f));
  const fair: FairResult[] = [];
  const two = sizes(o.fairRate, 2, [2.5, 1.4]);
  fair.push(
    await fairRun(stack, o, '2 campaigns', [
      { size: two[0]!, weight: 1 },
      { size: two[1]!, weight: 1 },
    ]),
  );
  const five = sizes(o.fairRate, 5, [2, 1.4, 3, 1.6, 2.4]);
  fair.push(
    await fairRun(
      stack,
      o,
      '5 campaigns',
      five.map((size) => ({ size, weight: 1 })),
    ),
  );
  fair.push(
    await fairRun(stack, o, 'weights 1 and 3', [
      { size: Math.round((o.fairRate / 4) * (o.windows * 10 + 8) * 2), weight: 1 },
      { size: Math.round(((o.fairRate * 3) / 4) * (o.windows * 10 + 8) * 1.3), weight: 3 },
    ]),
  );
  console.log(`\n  fair share: each campaign's share of a 10 s window ÷ its fair share (weight ÷ Σ weights)`);
  table(
    ['run', 'campaign', 'weight', 'recipients', '202 → first send s', 'per window', ''],
    fair.flatMap((f) =>
      f.rows.map((row, k) => [
        k === 0 ? f.label : '',
        k + 1,
        row.weight,
        int(row.size),
        fixed(row.startS, 2),
        row.ratios.map((x) => ratio(x)).join(' / '),
        k === 0 ? `${f.windows} windows` : '',
      ]),
    ),
  );
  for (const f of fair) {
    const pass = f.windows >= 1 && f.minRatio >= 0.9 && f.maxRatio <= 1.1;
    console.log(
      `  ${f.label}: share ÷ fair share min ${ratio(f.minRatio)}, max ${ratio(f.maxRatio)} ` +
        `over ${f.windows} windows  target 0.90–1.10  ${verdict(pass)}`,
    );
    targets.push({
      name: `fair ${f.label} ±10%`,
      pass,
      value: `${ratio(f.minRatio)}–${ratio(f.maxRatio)}`,
    });
    rates.push(f.rate);
  }

  console.log('\n  rate over each saturated period (sandbox arrivals, both lanes together)');
  table(
    ['run', 'SEND_RATE', 'seconds', 'busiest 1 s', '÷ rate', 'mean /s', '÷ rate'],
    rates.map((r) => [
      r.run,
      int(r.rate),
      fixed(r.seconds, 1),
      int(r.peak),
      fixed(r.peak / r.rate, 3),
      int(r.mean),
      fixed(r.mean / r.rate, 3),
    ]),
  );
  const peak = Math.max(...rates.map((r) => r.peak / r.rate));
  const mean = Math.min(...rates.map((r) => r.mean / r.rate));
  console.log(
    `  worst busiest second ${fixed(peak, 3)} × SEND_RATE (target ≤ 1.10) ${verdict(peak <= 1.1)}; ` +
      `lowest mean ${fixed(mean, 3)} × (target ≥ 0.90) ${verdict(mean >= 0.9)}`,
  );
  targets.push({ name: 'lanes peak ≤1.1×rate', pass: peak <= 1.1, value: `${fixed(peak, 3)}×` });
  targets.push({ name: 'lanes mean ≥0.9×rate', pass: mean >= 0.9, value: `${fixed(mean, 3)}×` });
  return targets;
}
