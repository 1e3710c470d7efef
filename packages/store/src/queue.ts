import { Queue, Worker, type ConnectionOptions, type JobsOptions, type Processor } from 'bullmq';
import { SEND_POLICY, chunkJobBackoffMs } from '@sobot/schema';
import type { Keys } from './keys';
import type { Lane } from './campaign-meta';

/**
 * The BullMQ queues, one per lane: each job is one chunk of one campaign's recipients. Transactional chunks have
 * a queue (and workers) of their own, so that they never wait behind bulk chunks.
 */
const QUEUE_NAMES: Record<Lane, string> = { bulk: 'send', transactional: 'send-tx' };

export interface ChunkJobData {
  campaignId: string;
  chunk: number;
}

/** Every chunk job gets these, whoever adds it (upload, canary release, retry-failed, resume). */
export const CHUNK_JOB_OPTIONS: JobsOptions = {
  attempts: SEND_POLICY.chunkJob.attempts,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: { age: SEND_POLICY.chunkJob.keepFailedSeconds },
};

export function chunkJobId(campaignId: string, chunk: number, generation = 0): string {
  return generation === 0 ? `${campaignId}-${chunk}` : `${campaignId}-${chunk}-r${generation}`;
}

export type ChunkProcessor = Processor<ChunkJobData, string>;

export interface EnqueueOptions {
  lane: Lane;
  /** Not before this time (ms): a scheduled campaign's chunks wait in BullMQ's delayed set. */
  notBefore?: number;
  /** retry-failed rounds get job ids of their own. */
  generation?: number;
}

/**
 * The send queues, built once per process: the producer and the workers add jobs through it, the workers take
 * them with `worker()`, Bull Board shows `queues`. Names, prefix, job options and lock settings live here only.
 */
export class SendQueue {
  private readonly lanes: Record<Lane, Queue<ChunkJobData>>;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly keys: Keys,
  ) {
    const queue = (lane: Lane) =>
      new Queue<ChunkJobData>(QUEUE_NAMES[lane], {
        connection,
        prefix: keys.bullPrefix,
        defaultJobOptions: CHUNK_JOB_OPTIONS,
      });
    this.lanes = { bulk: queue('bulk'), transactional: queue('transactional') };
  }

  /** The BullMQ queues (for Bull Board and tests). */
  get queues(): Array<Queue<ChunkJobData>> {
    return [this.lanes.bulk, this.lanes.transactional];
  }

  lane(lane: Lane): Queue<ChunkJobData> {
    return this.lanes[lane];
  }

  /** Adds chunk jobs in bulk; re-adding an existing job id is a no-op in BullMQ. */
  async enqueue(campaignId: string, chunks: number[], o: EnqueueOptions): Promise<void> {
    const delay = Math.max(0, (o.notBefore ?? 0) - Date.now());
    for (let i = 0; i < chunks.length; i += 1000) {
      await this.lanes[o.lane].addBulk(
        chunks.slice(i, i + 1000).map((chunk) => ({
          name: 'chunk',
          data: { campaignId, chunk },
          opts: { jobId: chunkJobId(campaignId, chunk, o.generation), ...(delay > 0 ? { delay } : {}) },
        })),
      );
    }
  }

  /** Wakes delayed (parked) chunk jobs now. */
  async wake(jobIds: string[]): Promise<void> {
    for (const jobId of jobIds) {
      for (const queue of this.queues) {
        const job = await queue.getJob(jobId);
        if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
      }
    }
  }

  /** A worker over one lane's queue: `concurrency` chunks at once, the lock settings of SEND_POLICY. */
  worker(lane: Lane, processor: ChunkProcessor, concurrency: number): Worker<ChunkJobData, string> {
    return new Worker<ChunkJobData, string>(QUEUE_NAMES[lane], processor, {
      connection: this.connection,
      prefix: this.keys.bullPrefix,
      concurrency,
      ...SEND_POLICY.lock,
      settings: { backoffStrategy: chunkJobBackoffMs },
    });
  }

  /** Jobs by state, both lanes together. */
  async jobCounts(): Promise<Record<string, number>> {
    const [bulk, tx] = await Promise.all(
      this.queues.map((q) => q.getJobCounts('wait', 'active', 'delayed', 'failed', 'prioritized')),
    );
    return Object.fromEntries(Object.entries(bulk!).map(([state, n]) => [state, n + (tx![state] ?? 0)]));
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}
