/**
 * Send path, three contenders side by side against one sandbox (20 ms per answer), 100 requests in
 * flight each, SEND_RATE out of the way (100,000/s):
 *   project  — producer + worker apps; from the upload answered (campaign pending) to completed_at;
 *   bare     — an undici Pool and 100 loops posting the same body (bench/contenders/bare-loop.ts);
 *   plain    — BullMQ one job per message + p-retry, posting with the global fetch: the worker a user
 *              writes in an afternoon (bench/contenders/plain-bullmq-worker.ts); from the first addBulk
 *              to the last job's finishedOn. The issue's ≥1.5× target is against this one;
 *   tuned    — the same worker posting through an undici Pool of 100 connections, like the bare loop:
 *              a plain worker someone already tuned, shown for reference.
 * Rounds rotate the order; each figure is the median of the rounds. Then the queue-cleanup check.
 */
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { waitFor } from '../../packages/devkit/src';
import { runScript, spawnScript, waitForLine } from '../lib/child';
import { imageMessage, recipientsCsv } from '../lib/csv-file';
import {
  callsBetween,
  commandCalls,
  cpuSeconds,
  fixed,
  int,
  median,
  perMessage,
  ratio,
  redisCpuSeconds,
  sleep,
} from '../lib/measure';
import { section, table, verdict, type Target } from '../lib/report';
import {
  CONCURRENCY,
  LATENCY_MS,
  newPrefix,
  resetSandbox,
  sandboxStats,
  startProducer,
  startWorker,
  upload,
  waitCompleted,
  type Stack,
} from '../lib/stack';
import { checkCleanup } from './cleanup';

export interface SendOptions {
  n: number;
  rounds: number;
  profile?: string;
}

interface Run {
  seconds: number;
  /** CPU of the sending process over the timed part. */
  cpuSeconds: number;
  /** Requests the sandbox saw beyond N (at-least-once resends); 0 expected. */
  extra: number;
  /** Set by the round loop: sandbox CPU per request, Redis CPU and commands over the whole run. */
  sandboxCpuPerRequest?: number;
  redisCpuSeconds?: number;
  calls?: Map<string, number>;
}

type Contender = 'project' | 'bare' | 'plain' | 'tuned';
const CONTENDERS: Contender[] = ['project', 'bare', 'plain', 'tuned'];
const ORDERS: Contender[][] = [
  ['project', 'bare', 'plain', 'tuned'],
  ['tuned', 'plain', 'bare', 'project'],
  ['bare', 'tuned', 'project', 'plain'],
  ['plain', 'project', 'tuned', 'bare'],
];
/** HTTP client of each plain BullMQ worker. */
const PLAIN_CLIENT = { plain: 'fetch', tuned: 'undici' } as const;

export async function sendSection(stack: Stack, o: SendOptions): Promise<Target[]> {
  section(`send path: N=${int(o.n)} messages, sandbox ${LATENCY_MS} ms, concurrency ${CONCURRENCY}, SEND_RATE 100000`);
  const warmFile = await recipientsCsv(stack.dir, 1_000);
  const file = await recipientsCsv(stack.dir, o.n);
  const prefix = newPrefix('bs');
  const producer = await startProducer(stack, prefix);
  const worker = startWorker(stack, prefix, 100_000, o.profile);
  // One plain BullMQ worker process per client, each on its own queue.
  const connection = new IORedis(stack.redisUrl, { maxRetriesPerRequest: null });
  const plainWorkers = (['plain', 'tuned'] as const).map((c) => {
    const queueName = `${c}-${prefix}`;
    const child = spawnScript('bench/contenders/plain-bullmq-worker.ts', [], {
      REDIS_URL: stack.redisUrl,
      SANDBOX_URL: stack.sandboxUrl,
      QUEUE: queueName,
      CONCURRENCY: String(CONCURRENCY),
      CLIENT: PLAIN_CLIENT[c],
    });
    return { contender: c, child, queue: new Queue(queueName, { connection }) };
  });
  const targets: Target[] = [];
  try {
    for (const w of plainWorkers) await waitForLine(w.child, 'ready');
    const project = async (): Promise<Run> => {
      const cpu0 = cpuSeconds(worker.pid);
      const up = await upload(producer, file.path, stack.imageUrl);
      const done = await waitCompleted(producer, up.id, worker, 600_000, 50);
      const cpu = cpuSeconds(worker.pid) - cpu0;
      if (done.counts.sent !== o.n) throw new Error(`project campaign sent ${done.counts.sent} of ${o.n}`);
      return { seconds: (Date.parse(done.completed_at!) - up.answeredAt) / 1000, cpuSeconds: cpu, extra: 0 };
    };
    const bare = async (): Promise<Run> => {
      const r = await runScript<{ sent: number; seconds: number; cpuSeconds: number }>(
        'bench/contenders/bare-loop.ts',
        [],
        {
          SANDBOX_URL: stack.sandboxUrl,
          IMAGE_URL: stack.imageUrl,
          N: String(o.n),
          CONCURRENCY: String(CONCURRENCY),
          WARMUP: '1000',
        },
      );
      return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, extra: -1_000 };
    };
    const plainRun = async (c: 'plain' | 'tuned', count: number): Promise<Run> => {
      const { child, queue } = plainWorkers.find((w) => w.contender === c)!;
      const before = await queue.getCompletedCount();
      const cpu0 = cpuSeconds(child.child.pid!);
      const t0 = Date.now();
      for (let i = 0; i < count; i += 1_000) {
        const jobs = [];
        for (let j = i; j < Math.min(count, i + 1_000); j++)
          jobs.push({ name: 'send', data: imageMessage(stack.imageUrl, j) });
        await queue.addBulk(jobs);
      }
      await waitFor(async () => (await queue.getCompletedCount()) >= before + count, {
        timeoutMs: 600_000,
        intervalMs: 50,
        what: `${c} BullMQ jobs`,
      });
      const cpu = cpuSeconds(child.child.pid!) - cpu0;
      const [, lastFinished] = await connection.zrevrange(queue.keys.completed!, 0, 0, 'WITHSCORES');
      const failed = await queue.getFailedCount();
      if (failed > 0) throw new Error(`${c} BullMQ: ${failed} jobs failed`);
      return { seconds: (Number(lastFinished) - t0) / 1000, cpuSeconds: cpu, extra: 0 };
    };

    // Warm-up: connections open, code hot, Redis scripts loaded, for the two queue-based contenders.
    const warm = await upload(producer, warmFile.path, stack.imageUrl);
    await waitCompleted(producer, warm.id, worker);
    await plainRun('plain', 1_000);
    await plainRun('tuned', 1_000);

    const runs: Record<Contender, Run[]> = { project: [], bare: [], plain: [], tuned: [] };
    for (let r = 0; r < o.rounds; r++) {
      for (const c of ORDERS[r % ORDERS.length]!) {
        await resetSandbox(stack);
        const sandboxCpu0 = cpuSeconds(stack.sandbox.pid);
        const redisCpu0 = await redisCpuSeconds(stack.redis);
        const calls0 = await commandCalls(stack.redis);
        const run = c === 'project' ? await project() : c === 'bare' ? await bare() : await plainRun(c, o.n);
        run.calls = callsBetween(calls0, await commandCalls(stack.redis));
        run.redisCpuSeconds = (await redisCpuSeconds(stack.redis)) - redisCpu0;
        const seen = await sandboxStats(stack);
        run.sandboxCpuPerRequest = (cpuSeconds(stack.sandbox.pid) - sandboxCpu0) / seen.total;
        run.extra += seen.accepted - o.n;
        if (seen.accepted < o.n || seen.total !== seen.accepted) {
          throw new Error(`${c}: the sandbox accepted ${seen.accepted} of ${seen.total} requests for ${o.n} messages`);
        }
        runs[c].push(run);
        console.log(
          `  round ${r + 1} ${c.padEnd(8)} ${int(o.n / run.seconds).padStart(6)} msg/s  (${fixed(run.seconds, 2)} s)`,
        );
      }
    }

    const rate = (c: Contender) => median(runs[c].map((x) => o.n / x.seconds));
    const cpu = (c: Contender) => median(runs[c].map((x) => (x.cpuSeconds / o.n) * 1_000));
    const p = rate('project');
    const b = rate('bare');
    const q = rate('plain');
    const t = rate('tuned');
    console.log('');
    const names: Record<Contender, string> = {
      project: 'project producer + worker',
      bare: 'bare undici loop',
      plain: 'plain BullMQ + p-retry (fetch)',
      tuned: 'plain BullMQ + p-retry (undici Pool)',
    };
    table(
      ['contender', 'msg/s (median)', 'rounds (msg/s)', 'CPU s per 1,000 msg: sender', 'sandbox', 'Redis', 'resends'],
      CONTENDERS.map((c) => [
        names[c],
        int(rate(c)),
        runs[c].map((x) => int(o.n / x.seconds)).join(' / '),
        fixed(cpu(c), 3),
        fixed(median(runs[c].map((x) => x.sandboxCpuPerRequest! * 1_000)), 3),
        fixed(median(runs[c].map((x) => (x.redisCpuSeconds! / o.n) * 1_000)), 3),
        runs[c].reduce((a, x) => a + Math.max(0, x.extra), 0),
      ]),
    );
    console.log('\n  Redis commands per message (last round, whole run incl. adds and progress polls):');
    for (const c of ['project', 'plain', 'tuned'] as Contender[])
      console.log(`    ${names[c].padEnd(36)} ${perMessage(runs[c][runs[c].length - 1]!.calls!, o.n)}`);
    const vsBare = p / b;
    const vsPlain = p / q;
    const pass = vsBare >= 0.85 && vsPlain >= 1.5;
    console.log(
      `\n  send path: project ${int(p)} msg/s = ${ratio(vsBare)} × bare loop (${int(b)} msg/s), ` +
        `${ratio(vsPlain)} × plain BullMQ (${int(q)} msg/s)  target ≥0.85 / ≥1.5  ${verdict(pass)}`,
    );
    console.log(
      `  for reference: ${ratio(p / t)} × the plain BullMQ worker tuned with an undici Pool (${int(t)} msg/s), ` +
        `which itself reaches ${ratio(t / b)} × the bare loop`,
    );
    targets.push({ name: 'send ≥0.85×bare', pass: vsBare >= 0.85, value: `${ratio(vsBare)}×` });
    targets.push({ name: 'send ≥1.5×plain', pass: vsPlain >= 1.5, value: `${ratio(vsPlain)}×` });

    await sleep(300);
    targets.push(await checkCleanup(stack, prefix, o.n));
  } finally {
    for (const w of plainWorkers) {
      await w.queue.close();
      w.child.child.kill('SIGTERM');
    }
    connection.disconnect();
    await Promise.all([worker.stop(), producer.app.stop()]);
  }
  return targets;
}
