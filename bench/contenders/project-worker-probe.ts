/**
 * The project's send worker, built exactly as apps/worker/src/main.ts builds it (startSendWorker, two
 * Redis connections, pino at `warn`), run in this process so that its event loop can be watched from
 * inside: perf_hooks.monitorEventLoopDelay and process.cpuUsage, reset on `mark`, read on `report`
 * (IPC messages from the bench).
 *
 * With BENCH_TRACE=1 it also times, per message, the steps that hold a concurrency permit (waiting
 * for a send slot, the HTTP request, waiting for the outcome to be durable) by wrapping the methods
 * on their prototypes. Bench-only diagnosis: the worker's code is unchanged.
 *
 * env: REDIS_URL, REDIS_PREFIX, SOBOT_API_URL, SEND_RATE, WORKER_CONCURRENCY, BENCH_TRACE.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '../../packages/config/src';
import { startSendWorker } from '../../packages/sending/src';
import { OutcomeFlusher } from '../../packages/sending/src/outcome-flusher';
import { Permits } from '../../packages/sending/src/permits';
import { SendGate } from '../../packages/sending/src/send-gate';
import { SobotClient } from '../../packages/sobot-client/src';
import { Store } from '../../packages/store/src';
import { Ledger } from '../../packages/store/src/ledger';
import { SendRate } from '../../packages/store/src/send-rate';

/** label → [calls, total ms] */
const traced = new Map<string, [number, number]>();

/** Wraps an async method so each call's duration is added under `label`. */
function trace(proto: object, method: string, label: string): void {
  const target = proto as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method]!;
  target[method] = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const done = () => {
      const entry = traced.get(label) ?? [0, 0];
      entry[0] += 1;
      entry[1] += performance.now() - t0;
      traced.set(label, entry);
    };
    const result = original.apply(this, args);
    result.then(done, done);
    return result;
  };
}

if (process.env.BENCH_TRACE === '1') {
  trace(Permits.prototype, 'acquire', 'wait for a permit (queueing)');
  trace(SendGate.prototype, 'take', 'wait for a send slot (gate)');
  trace(SendRate.prototype, 'reserve', 'reserveSends script round trip');
  trace(SobotClient.prototype, 'send', 'HTTP request to the sandbox');
  trace(OutcomeFlusher.prototype, 'add', 'wait until the outcome is durable');
  trace(Ledger.prototype, 'record', 'recordOutcomes + wamid index round trips');
  trace(Ledger.prototype, 'loadChunk', 'load a chunk (3 reads)');
}

/** Timer interval of the delay monitor, ms; a sample is the time between ticks, so this is taken off. */
export const RESOLUTION_MS = 10;

const env = process.env;
const log = createLogger('worker', 'warn');
const store = Store.open({ url: env.REDIS_URL ?? '', prefix: env.REDIS_PREFIX ?? 'sobot', resultTtlDays: 30 }, log);
const sender = startSendWorker({
  store,
  log,
  sobot: { baseUrl: env.SOBOT_API_URL ?? '', apiKey: 'x', apiSecret: '', timeoutMs: 15_000 },
  sendRate: Number(env.SEND_RATE ?? 400),
  concurrency: Number(env.WORKER_CONCURRENCY ?? 100),
  maxAttempts: 5,
});

const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
let cpu0 = process.cpuUsage();

const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

process.on('message', (msg: { cmd?: string }) => {
  if (msg.cmd === 'mark') {
    delay.reset();
    traced.clear();
    cpu0 = process.cpuUsage();
    process.send?.({ marked: true });
  } else if (msg.cmd === 'report') {
    const cpu = process.cpuUsage(cpu0);
    process.send?.({
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
      samples: delay.count,
      trace: Object.fromEntries([...traced].map(([label, [calls, ms]]) => [label, { calls, meanMs: ms / calls }])),
    });
  } else if (msg.cmd === 'stop') {
    void sender
      .close()
      .then(() => store.close())
      .finally(() => process.exit(0));
  }
});
process.send?.({ ready: true });
