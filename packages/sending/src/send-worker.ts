import { setMaxListeners } from 'node:events';
import type { Job, Worker } from 'bullmq';
import { SEND_POLICY } from '@sobot/schema';
import type { Logger } from 'pino';
import { SobotClient } from '@sobot/sobot-client';
import { CHUNK_SIZE, type ChunkJobData, type Store } from '@sobot/store';
import { OutageBreaker } from './breaker';
import { CampaignWatch } from './campaign-watch';
import { ChunkRunner } from './chunk-runner';
import { FairShareSync } from './fair-share-sync';
import { MetricsRecorder } from './metrics-recorder';
import { Permits } from './permits';
import { SendGate } from './send-gate';
import { SENDER_POLICY, SenderPool, type SenderPolicy, type SenderSetup } from './sender-pool';
import { troubleLog } from './trouble-log';

export interface SendWorkerOptions {
  store: Store;
  log: Logger;
  sobot: { baseUrl: string; apiKey: string; apiSecret: string; timeoutMs: number };
  /** Messages per second across every worker. */
  sendRate: number;
  /** Requests in flight in this process. */
  concurrency: number;
  maxAttempts: number;
  /** FREQUENCY_CAP_HOURS: skip numbers that got a bulk message within this many hours (default off). */
  frequencyCapHours?: number;
  /**
   * The senders (SPEC §15: SENDERS / PORTFOLIOS); absent: one sender `default` with `sobot`'s key pair at the
   * global rate (`single`), exactly as before.
   */
  senders?: { setups: SenderSetup[]; limits: Record<string, number | null>; single: boolean };
  /** PAIR_INTERVAL_MS: least time between two requests to one number from one sender; 0 or absent: none. */
  pairIntervalMs?: number;
  /** Sender policy values a test shrinks (the 24 h of the messaging limit, the 30 days of stickiness…). */
  senderPolicy?: Partial<SenderPolicy>;
  /** The time quiet hours are judged by (default Date.now): tests move it instead of waiting for a span's end. */
  clock?: () => number;
}

export interface SendWorker {
  /** The bulk lane's worker and the transactional lane's. */
  workers: Array<Worker<ChunkJobData, string>>;
  /** Stop taking chunks, finish and record in-flight requests, give unfinished chunks back, close. */
  close(): Promise<void>;
}

export function startSendWorker(o: SendWorkerOptions): SendWorker {
  const { store } = o;
  const client = new SobotClient({ ...o.sobot, connections: o.concurrency });
  const rate = store.sendRate(o.sendRate);
  const metrics = new MetricsRecorder(store.metrics);
  metrics.start();
  const shutdown = new AbortController();
  // Every running chunk listens for shutdown: more than the default ten listeners is expected.
  setMaxListeners(1000, shutdown.signal);
  // A campaign may run this far ahead of every worker's least-served one (SEND_POLICY.fairShare.leadMs of the rate).
  const setups = o.senders?.setups ?? [
    {
      info: { id: 'default', rate: o.sendRate, portfolio: 'default', numbers: [] },
      credentials: { apiKey: o.sobot.apiKey, apiSecret: o.sobot.apiSecret },
    },
  ];
  const pool = new SenderPool(
    store.senders,
    setups,
    o.senders?.limits ?? {},
    o.sendRate,
    o.senders?.single ?? true,
    o.pairIntervalMs ?? 0,
    o.log,
    { ...SENDER_POLICY, ...o.senderPolicy },
  );
  const poolStarted = pool.start().catch((err: unknown) => o.log.warn({ err: String(err) }, 'senders not registered'));
  const permits = new Permits(o.concurrency, Math.max(2, (o.sendRate * SEND_POLICY.fairShare.leadMs) / 1000));
  const fairShare = new FairShareSync(permits, store.fairShare);
  fairShare.start();
  const runner = new ChunkRunner(
    {
      client,
      rate,
      system: store.system,
      gate: new SendGate(rate, o.log),
      breaker: new OutageBreaker(),
      metrics,
      log: o.log,
      maxAttempts: o.maxAttempts,
      ledger: store.ledger,
      watch: new CampaignWatch(store.campaigns),
      permits,
      onStoreFull: troubleLog(o.log, 'Redis is out of memory: outcome writes are retried until it takes them'),
      audience: store.audience,
      frequencyCapHours: o.frequencyCapHours ?? 0,
      pool,
      clock: o.clock,
    },
    shutdown.signal,
  );
  // Enough bulk chunks at once to keep every permit busy while one chunk waits for its stragglers, and for
  // every running campaign to have a chunk here to share the permits with (fair share, see Permits).
  const bulkChunks = Math.max(Math.ceil(o.concurrency / CHUNK_SIZE) + 2, SEND_POLICY.fairShare.chunksPerWorker);
  const process = (job: Job<ChunkJobData>, token?: string) => runner.run(job, token);
  const workers = [
    store.queue.worker('bulk', process, bulkChunks),
    store.queue.worker('transactional', process, SEND_POLICY.transactionalChunksPerWorker),
  ];
  const failed = troubleLog(o.log, 'chunk jobs failed; BullMQ retries them');
  const workerError = troubleLog(o.log, 'send worker error (Redis trouble?)');
  for (const worker of workers) {
    worker.on('failed', (_job, err) => failed(err));
    worker.on('error', (err) => workerError(err));
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = Promise.all(workers.map((w) => w.close()));
      shutdown.abort('shutdown');
      await stopped;
      fairShare.stop();
      await poolStarted;
      pool.stop();
      await metrics.stop();
      await client.close();
      o.log.info(metrics.totals, 'sender stopped: messages this process sent, failed and skipped');
    })());
  return { workers, close };
}
