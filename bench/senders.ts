/**
 * `pnpm bench -- senders` (SPEC §15), in this process against the stack's Redis (a prefix of its own) and a sandbox
 * of its own with one key pair per sender:
 *   - per-sender peak second ÷ its rate, with 2 and 5 senders (target ≤ 1.1): the busiest 1-s window of requests
 *     each key received, sliding over every request;
 *   - messaging-limit overshoot with 4 workers (4 connections) racing for the last 10 slots of a 250 limit, 20 times
 *     (target 0);
 *   - Redis commands per message with 2 senders and the tier on (target ≤ 8): INFO commandstats around a campaign
 *     (commit, sending, outcomes, progress) on a Redis used by nothing else meanwhile.
 * The in-flight sizing at real latency is bench/senders-latency.ts (another section).
 */
import { startSandbox, type Received } from '../apps/sandbox/src';
import { createLogger } from '../packages/config/src';
import { waitFor } from '../packages/devkit/src';
import { startSendWorker, type SenderSetup } from '../packages/sending/src';
import { Store } from '../packages/store/src';
import { callsBetween, commandCalls, fixed, perMessage } from './lib/measure';
import { section, table, verdict, type Target } from './lib/report';
import { newPrefix, type Stack } from './lib/stack';

const log = createLogger('bench', 'silent');

const keyOf = (i: number) => ({ id: `s${i}`, api_key: `key-${i}`, api_secret: `sec-${i}` });
const setupOf = (i: number, rate: number, portfolio = 'bench'): SenderSetup => ({
  info: { id: `s${i}`, rate, portfolio, numbers: [] },
  credentials: { apiKey: `key-${i}`, apiSecret: `sec-${i}` },
});

/** The most requests one key received in any 1-s window. */
function peakSecond(received: Received[], key: string): number {
  const at = received.filter((r) => r.key === key).map((r) => r.at);
  let best = 0;
  for (let i = 0, j = 0; j < at.length; j += 1) {
    while (at[j]! - at[i]! >= 1000) i += 1;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** Sends one campaign of `n` through `senders` senders of `rate`/s each; answers each sender's peak ÷ rate. */
async function peaks(stack: Stack, senders: number, rate: number, seconds: number) {
  const keys = Array.from({ length: senders }, (_, i) => keyOf(i));
  const sandbox = await startSandbox({ keys, faults: { latencyMs: { min: 10, max: 30 } } });
  const prefix = newPrefix('bsnd');
  const store = Store.open({ url: stack.redisUrl, prefix, resultTtlDays: 1 }, log);
  const worker = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: senders * rate * 4,
    concurrency: 200,
    maxAttempts: 3,
    senders: { setups: keys.map((_, i) => setupOf(i, rate)), limits: {}, single: false },
    pairIntervalMs: 6000,
  });
  try {
    const n = senders * rate * seconds;
    const id = await commit(store, sandbox.url, n, '9170');
    await waitFor(async () => (await store.campaigns.view(id))?.status === 'completed', {
      what: 'the campaign completed',
      timeoutMs: 120_000,
    });
    const received = sandbox.stats().received;
    return keys.map((k) => peakSecond(received, k.id) / rate);
  } finally {
    await worker.close();
    await store.close();
    await sandbox.close();
  }
}

async function commit(store: Store, base: string, n: number, prefix: string, senders?: string[]): Promise<string> {
  const image = `${base}/images/sample.jpg`;
  const writer = store.newCampaign({ image_url: image });
  for (let i = 0; i < n; i += 1) {
    await writer.add({
      type: 'image',
      url: image,
      mime_type: 'image/jpeg',
      customer_number: `${prefix}${String(i).padStart(12 - prefix.length, '0')}`,
      customer_name: `C${i}`,
    });
  }
  await writer.commit({
    name: 'bench',
    source: 'upload',
    defaults: { image_url: image },
    total: n,
    rejected: 0,
    duplicates: 0,
    senders,
  });
  return writer.campaignId;
}

/** 4 connections racing for the last 10 slots of a 250 limit, `runs` times: the most admitted past the limit. */
async function overshoot(stack: Stack, runs: number): Promise<number> {
  let worst = 0;
  for (let r = 0; r < runs; r += 1) {
    const prefix = newPrefix('bovr');
    const stores = Array.from({ length: 4 }, () => Store.open({ url: stack.redisUrl, prefix, resultTtlDays: 1 }, log));
    try {
      const s = { id: 'a', rate: 80, portfolio: 'acme', numbers: [] };
      const request = (numbers: string[]) => ({
        senders: [s],
        limits: { acme: 250 },
        recipients: numbers.map((number) => ({ number, inWindow: false, retry: false })),
        stickyMs: 0,
        pairIntervalMs: 0,
        windowMs: 86_400_000,
        pairMarginMs: 0,
      });
      const nums = (k: number, from: number) => Array.from({ length: k }, (_, i) => String(919600000000 + from + i));
      await stores[0]!.senders.assign(request(nums(240, 0)));
      const results = await Promise.all(
        stores.flatMap((st, w) =>
          Array.from({ length: 8 }, (_, c) => st.senders.assign(request(nums(5, 1_000 + w * 100 + c * 5)))),
        ),
      );
      const admitted = results.flat().filter((a) => a.status === 'go').length;
      worst = Math.max(worst, admitted - 10);
    } finally {
      for (const st of stores) await st.close();
    }
  }
  return worst;
}

/** Redis commands per message of one campaign with 2 senders and a messaging limit (the tier) on. */
async function commandsPerMessage(stack: Stack, n: number, on: boolean): Promise<{ perMsg: number; detail: string }> {
  const keys = [keyOf(0), keyOf(1)];
  const sandbox = await startSandbox({ keys, faults: { latencyMs: 2 } });
  const prefix = newPrefix('bcmd');
  const store = Store.open({ url: stack.redisUrl, prefix, resultTtlDays: 1 }, log);
  const worker = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: 2_000,
    concurrency: 100,
    maxAttempts: 3,
    senders: on
      ? { setups: [setupOf(0, 1_000), setupOf(1, 1_000)], limits: { bench: 100_000 }, single: false }
      : {
          setups: [{ ...setupOf(0, 2_000), info: { ...setupOf(0, 2_000).info, id: 'default' } }],
          limits: {},
          single: true,
        },
    pairIntervalMs: on ? 6000 : 0,
  });
  try {
    const before = await commandCalls(stack.redis);
    const id = await commit(store, sandbox.url, n, '9171');
    await waitFor(async () => (await store.campaigns.view(id))?.status === 'completed', {
      what: 'the campaign completed',
      timeoutMs: 120_000,
    });
    const calls = callsBetween(before, await commandCalls(stack.redis));
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    return { perMsg: total / n, detail: perMessage(calls, n) };
  } finally {
    await worker.close();
    await store.close();
    await sandbox.close();
  }
}

export async function sendersSection(stack: Stack, o: { rate: number; seconds: number; n: number }): Promise<Target[]> {
  section('senders: per-sender rate, messaging-limit overshoot, Redis commands per message (SPEC §15)');
  const targets: Target[] = [];
  const rows: string[][] = [];
  let worstPeak = 0;
  for (const senders of [2, 5]) {
    const p = await peaks(stack, senders, o.rate, o.seconds);
    worstPeak = Math.max(worstPeak, ...p);
    rows.push([`${senders} senders × ${o.rate}/s`, p.map((x) => fixed(x, 2)).join(' '), fixed(Math.max(...p), 2)]);
  }
  table(['senders', 'peak second ÷ rate, each sender', 'worst'], rows);
  targets.push({ name: 'sender peak ≤1.1×', pass: worstPeak <= 1.1, value: `${fixed(worstPeak, 2)}×` });
  console.log(
    `  per-sender peak second ÷ rate: worst ${fixed(worstPeak, 2)}  target ≤ 1.1  ${verdict(worstPeak <= 1.1)}`,
  );

  const over = await overshoot(stack, 20);
  console.log(
    `  messaging limit, 4 workers racing for the last 10 slots ×20: overshoot ${over}  target 0  ${verdict(over === 0)}`,
  );
  targets.push({ name: 'tier overshoot 0', pass: over === 0, value: String(over) });

  const plain = await commandsPerMessage(stack, o.n, false);
  console.log(`  Redis commands per message, one key pair (SOBOT_API_KEY), no pair rate: ${plain.detail}`);
  const cmds = await commandsPerMessage(stack, o.n, true);
  console.log(
    `  Redis commands per message, 2 senders + tier + pair rate on: ${cmds.detail}  target ≤ 8  ` +
      verdict(cmds.perMsg <= 8),
  );
  targets.push({ name: 'senders cmds/msg ≤8', pass: cmds.perMsg <= 8, value: fixed(cmds.perMsg, 2) });
  return targets;
}
