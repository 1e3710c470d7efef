import { setMaxListeners } from 'node:events';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { SobotClient } from '@sobot/sobot-client';
import { CHUNK_SIZE, Ledger, SEND_QUEUE, SendRate, type ChunkJobData, type StoreContext } from '@sobot/store';
import { OutageBreaker } from './breaker';
import { CampaignWatch } from './campaign-watch';
import { ChunkRunner } from './chunk-runner';
import { MetricsRecorder } from './metrics-recorder';
import { Permits } from './permits';
import { SendGate } from './send-gate';

export interface SendWorkerOptions {
  ctx: StoreContext;
  /** A connection BullMQ may block on (not shared with ctx.redis). */
  bullConnection: ConnectionOptions;
  log: Logger;
  sobot: { baseUrl: string; apiKey: string; apiSecret: string; timeoutMs: number };
  /** Messages per second across every worker. */
  sendRate: number;
  /** Requests in flight in this process. */
  concurrency: number;
  maxAttempts: number;
  resultTtlSeconds: number;
}

/**
 * Lock and stall settings. A live worker renews its chunk's lock every 5 s; a worker killed with -9
 * stops renewing, its lock lapses within 10 s and the next stall check (every 5 s) hands the chunk to
 * another worker: in-flight recipients of a dead worker are picked up within ~15 s. A stalled chunk
 * never fails for stalling (the ledger makes re-running it safe), hence the high maxStalledCount.
 */
export const LOCK_SETTINGS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 1_000 } as const;

export interface SendWorker {
  worker: Worker<ChunkJobData>;
  /** Stop taking chunks, finish and record in-flight requests, give unfinished chunks back, close. */
  close(): Promise<void>;
}

export function startSendWorker(o: SendWorkerOptions): SendWorker {
  const client = new SobotClient({ ...o.sobot, connections: o.concurrency });
  const rate = new SendRate(o.ctx, o.sendRate);
  const metrics = new MetricsRecorder(o.ctx);
  metrics.start();
  const queue = new Queue<ChunkJobData>(SEND_QUEUE, { connection: o.bullConnection, prefix: o.ctx.keys.bullPrefix });
  // Without a listener BullMQ prints connection errors as raw stack dumps: keep them in the JSON log.
  queue.on('error', (err) => o.log.warn({ err: err.message }, 'send queue: redis connection problem'));
  const shutdown = new AbortController();
  // Every running chunk listens for shutdown: more than the default ten listeners is expected.
  setMaxListeners(1000, shutdown.signal);
  const runner = new ChunkRunner(
    {
      ctx: o.ctx,
      client,
      rate,
      gate: new SendGate(rate, o.log),
      breaker: new OutageBreaker(),
      metrics,
      log: o.log,
      maxAttempts: o.maxAttempts,
      ledger: new Ledger(o.ctx),
      watch: new CampaignWatch(o.ctx),
      permits: new Permits(o.concurrency),
      resultTtlSeconds: o.resultTtlSeconds,
      queue,
    },
    shutdown.signal,
  );
  // Enough chunks at once to keep every permit busy while one chunk waits for its stragglers.
  const chunkConcurrency = Math.ceil(o.concurrency / CHUNK_SIZE) + 2;
  const worker = new Worker<ChunkJobData>(SEND_QUEUE, (job, token) => runner.run(job, token), {
    connection: o.bullConnection,
    prefix: o.ctx.keys.bullPrefix,
    concurrency: chunkConcurrency,
    ...LOCK_SETTINGS,
    settings: { backoffStrategy: (attemptsMade: number) => Math.min(30_000, 1_000 * 2 ** attemptsMade) },
  });
  worker.on('failed', (job, err) => o.log.error({ err, jobId: job?.id }, 'chunk job failed; BullMQ will retry it'));
  worker.on('error', (err) => o.log.error({ err }, 'worker error'));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = worker.close();
      shutdown.abort('shutdown');
      await stopped;
      await metrics.stop();
      await client.close();
      await queue.close();
      o.log.info(metrics.totals, 'sender stopped: messages this process sent and failed');
    })());
  return { worker, close };
}
