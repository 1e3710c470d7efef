/**
 * Worker CPU per 1,000 messages and event-loop delay at SEND_RATE 400 (concurrency 100):
 *   - the worker app as its own process, CPU from /proc/<pid>/stat over one campaign;
 *   - the same worker (startSendWorker) inside bench/contenders/project-worker-probe.ts, where
 *     monitorEventLoopDelay and process.cpuUsage watch its event loop from inside.
 * The probe also runs at full speed (SEND_RATE 100000) for comparison.
 */
import { ask, spawnScript } from '../lib/child';
import { recipientsCsv } from '../lib/csv-file';
import { callsBetween, commandCalls, cpuSeconds, fixed, int, perMessage } from '../lib/measure';
import { section, table } from '../lib/report';
import {
  CONCURRENCY,
  newPrefix,
  resetSandbox,
  startProducer,
  startWorker,
  upload,
  waitCompleted,
  type Producer,
  type Stack,
} from '../lib/stack';

export interface CpuOptions {
  /** Messages per measured campaign at SEND_RATE 400. */
  n: number;
  /** Messages for the full-speed probe run. */
  fullSpeedN: number;
  profile?: string;
}

interface Probe {
  trace: Record<string, { calls: number; meanMs: number }>;
  cpuSeconds: number;
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

const RATE = 400;

async function campaignRun(stack: Stack, producer: Producer, file: string, n: number) {
  await resetSandbox(stack);
  const up = await upload(producer, file, stack.imageUrl);
  const done = await waitCompleted(producer, up.id, undefined, 600_000, 50);
  if (done.counts.sent !== n) throw new Error(`campaign sent ${done.counts.sent} of ${n}`);
  const seconds = (Date.parse(done.completed_at!) - up.answeredAt) / 1000;
  return { seconds, rate: n / seconds };
}

async function probeRun(
  stack: Stack,
  producer: Producer,
  sendRate: number,
  warm: string,
  file: string,
  n: number,
  traced = false,
) {
  const probe = spawnScript(
    'bench/contenders/project-worker-probe.ts',
    [],
    {
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: producer.prefix,
      SOBOT_API_URL: stack.sandboxUrl,
      SEND_RATE: String(sendRate),
      WORKER_CONCURRENCY: String(CONCURRENCY),
      BENCH_TRACE: traced ? '1' : '0',
    },
    true,
  );
  try {
    await new Promise<void>((resolve, reject) => {
      probe.child.once('message', () => resolve());
      probe.child.once('exit', () => reject(new Error(`probe exited:\n${probe.output()}`)));
    });
    await campaignRun(stack, producer, warm, 400);
    await ask(probe.child, { cmd: 'mark' });
    const run = await campaignRun(stack, producer, file, n);
    const stats = await ask<Probe>(probe.child, { cmd: 'report' });
    return { ...run, ...stats };
  } finally {
    probe.child.send({ cmd: 'stop' });
    await new Promise((r) => probe.child.once('exit', r));
  }
}

export async function cpuSection(stack: Stack, o: CpuOptions): Promise<void> {
  section(`worker CPU and event-loop delay at SEND_RATE ${RATE}, concurrency ${CONCURRENCY} (${int(o.n)} messages)`);
  const warm = await recipientsCsv(stack.dir, 400);
  const file = await recipientsCsv(stack.dir, o.n);
  const full = await recipientsCsv(stack.dir, o.fullSpeedN);
  const producer = await startProducer(stack, newPrefix('bc'));
  try {
    const worker = startWorker(stack, producer.prefix, RATE, o.profile);
    let app;
    try {
      await campaignRun(stack, producer, warm.path, 400);
      const cpu0 = cpuSeconds(worker.pid);
      const calls0 = await commandCalls(stack.redis);
      const run = await campaignRun(stack, producer, file.path, o.n);
      app = {
        ...run,
        cpuSeconds: cpuSeconds(worker.pid) - cpu0,
        calls: callsBetween(calls0, await commandCalls(stack.redis)),
      };
    } finally {
      await worker.stop();
    }
    const probe = await probeRun(stack, producer, RATE, warm.path, file.path, o.n);
    const fast = await probeRun(
      stack,
      producer,
      100_000,
      warm.path,
      full.path,
      o.fullSpeedN,
      process.env.BENCH_TRACE !== '0',
    );
    table(
      [
        'worker',
        'SEND_RATE',
        'achieved msg/s',
        'CPU s per 1,000 msg',
        'CPU % of one core',
        'loop delay p50 ms',
        'p99 ms',
        'max ms',
      ],
      [
        [
          'worker app (/proc/<pid>/stat)',
          RATE,
          fixed(app.rate),
          fixed((app.cpuSeconds / o.n) * 1000, 3),
          fixed((app.cpuSeconds / app.seconds) * 100),
          '–',
          '–',
          '–',
        ],
        [
          'startSendWorker in probe',
          RATE,
          fixed(probe.rate),
          fixed((probe.cpuSeconds / o.n) * 1000, 3),
          fixed((probe.cpuSeconds / probe.seconds) * 100),
          fixed(probe.p50, 2),
          fixed(probe.p99, 2),
          fixed(probe.max, 2),
        ],
        [
          `startSendWorker in probe${process.env.BENCH_TRACE === '0' ? '' : ', traced'}`,
          '100000',
          fixed(fast.rate),
          fixed((fast.cpuSeconds / o.fullSpeedN) * 1000, 3),
          fixed((fast.cpuSeconds / fast.seconds) * 100),
          fixed(fast.p50, 2),
          fixed(fast.p99, 2),
          fixed(fast.max, 2),
        ],
      ],
    );
    console.log(
      `\n  Redis commands per message at SEND_RATE ${RATE} (worker app run, incl. progress polls): ` +
        `${perMessage(app.calls, o.n)}`,
    );
    const cycleMs = (CONCURRENCY / fast.rate) * 1000;
    console.log(
      `\n  full speed, where a permit's time goes (${CONCURRENCY} permits / ${fixed(fast.rate, 0)} msg/s = ` +
        `${fixed(cycleMs)} ms per message per permit):`,
    );
    table(
      ['step (mean per call)', 'calls', 'ms'],
      Object.entries(fast.trace).map(([label, t]) => [label, int(t.calls), fixed(t.meanMs, 2)]),
    );
    console.log(
      `\n  worker at SEND_RATE ${RATE}: ${fixed((app.cpuSeconds / o.n) * 1000, 3)} CPU s per 1,000 messages, ` +
        `event-loop delay p99 ${fixed(probe.p99, 2)} ms ` +
        '(monitorEventLoopDelay, resolution 10 ms taken off); ' +
        `achieved ${fixed(app.rate)} msg/s (${fixed((app.rate / RATE) * 100)} % of SEND_RATE)`,
    );
  } finally {
    await producer.app.stop();
  }
}
