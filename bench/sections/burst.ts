/**
 * SPEC §22 (issue 20): a burst of small uploads does not leave the producer holding memory. A real producer process
 * takes `uploads` concurrent 10-row raw CSV uploads (one connection each); its RSS is read idle (after a warm-up),
 * sampled through the burst (peak) and polled after it until it comes back within the target or a deadline passes.
 * Run at the default MAX_CONCURRENT_UPLOADS and with the limit out of the way, for comparison.
 */
import { Agent, request } from 'undici';
import { fixed, int, procMemMiB, sleep } from '../lib/measure';
import { section, table, verdict, type Target } from '../lib/report';
import { newPrefix, startProducer, TOKEN, type Producer, type Stack } from '../lib/stack';

export interface BurstOptions {
  /** Concurrent uploads. */
  uploads: number;
  /** How long RSS may take to come back after the burst. */
  settleMs: number;
}

/** RSS after the burst over RSS idle. */
const TARGET = 1.2;

interface Run {
  limit: string;
  idleMiB: number;
  peakMiB: number;
  afterMiB: number;
  settleS: number;
  accepted: number;
  refused: number;
  other: number;
  burstS: number;
}

/** 10 rows of valid, distinct numbers (distinct per upload too). */
function tenRows(n: number): string {
  const lines = ['phone,name'];
  for (let i = 0; i < 10; i += 1) lines.push(`9197${String(n * 10 + i).padStart(8, '0')},Name ${i}`);
  return `${lines.join('\n')}\n`;
}

async function post(producer: Producer, agent: Agent, n: number): Promise<number> {
  const query = new URLSearchParams({ image_url: 'https://cdn.example.com/a.jpg', name: `burst ${n}` });
  const res = await request(`${producer.url}/v1/campaigns?${query}`, {
    dispatcher: agent,
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
    body: tenRows(n),
  });
  await res.body.dump();
  return res.statusCode;
}

async function burst(stack: Stack, o: BurstOptions, limit: string): Promise<Run> {
  const producer = await startProducer(stack, newPrefix('bu'), undefined, { MAX_CONCURRENT_UPLOADS: limit });
  const agent = new Agent({ connections: null, pipelining: 1 });
  const rss = () => procMemMiB(producer.app.pid, 'VmRSS');
  try {
    // Warm-up: 100 uploads 16 at a time, so every code path of the burst (202s, and 503s at the default limit) has
    // run and been compiled; idle is then what a quiet producer that has served uploads holds.
    for (let i = 0; i < 100; i += 16) {
      await Promise.all(Array.from({ length: 16 }, (_, k) => post(producer, agent, 1_000_000 + i + k)));
    }
    await sleep(2_000);
    const idleMiB = rss();

    let peakMiB = idleMiB;
    const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, rss())), 20);
    const t0 = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: o.uploads }, (_, n) => post(producer, agent, n).catch(() => -1)),
    );
    const burstS = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    peakMiB = Math.max(peakMiB, rss());

    // Connections closed, then RSS polled until it is back within the target (or the deadline).
    await agent.close();
    const settled = Date.now();
    let afterMiB = rss();
    while (afterMiB > idleMiB * TARGET && Date.now() - settled < o.settleMs) {
      await sleep(500);
      afterMiB = rss();
    }
    return {
      limit,
      idleMiB,
      peakMiB,
      afterMiB,
      settleS: (Date.now() - settled) / 1000,
      accepted: statuses.filter((s) => s === 202).length,
      refused: statuses.filter((s) => s === 503).length,
      other: statuses.filter((s) => s !== 202 && s !== 503).length,
      burstS,
    };
  } finally {
    await producer.app.stop();
    await stack.redis.flushall();
  }
}

export async function burstSection(stack: Stack, o: BurstOptions): Promise<Target[]> {
  section(`burst: ${int(o.uploads)} concurrent 10-row uploads, producer RSS idle / peak / after`);
  const runs = [await burst(stack, o, '8'), await burst(stack, o, String(o.uploads))];
  table(
    [
      'MAX_CONCURRENT_UPLOADS',
      '202',
      '503',
      'other',
      'burst s',
      'RSS idle (MiB)',
      'peak (MiB)',
      'after (MiB)',
      'after / idle',
      'settled in s',
    ],
    runs.map((r) => [
      r.limit,
      int(r.accepted),
      int(r.refused),
      int(r.other),
      fixed(r.burstS, 2),
      fixed(r.idleMiB),
      fixed(r.peakMiB),
      fixed(r.afterMiB),
      fixed(r.afterMiB / r.idleMiB, 2),
      fixed(r.settleS, 1),
    ]),
  );
  const bounded = runs[0]!;
  const ratio = bounded.afterMiB / bounded.idleMiB;
  console.log(
    `  after / idle at the default limit: ${fixed(ratio, 2)}  target ≤${TARGET}  ${verdict(ratio <= TARGET)}`,
  );
  return [{ name: `burst RSS after/idle ≤${TARGET}`, pass: ratio <= TARGET, value: `${fixed(ratio, 2)}×` }];
}
