import { Queue, Worker, type ConnectionOptions, type JobsOptions, type Processor } from 'bullmq';
import { SEND_POLICY, chunkJobBackoffMs } from '@sobot/schema';
import type { Keys } from './keys';
import { CHUNK_SIZE } from './context';

/** The one BullMQ queue: each job is one chunk of one campaign's recipients. */
const SEND_QUEUE = 'send';

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

/**
 * The send queue, built once per process: the producer and the workers add jobs through it, the workers take
 * them with `worker()`, Bull Board shows `bull`. Its name, prefix, job options and lock settings live here only.
 */
export class SendQueue {
  readonly bull: Queue<ChunkJobData>;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly keys: Keys,
  ) {
    this.bull = new Queue<ChunkJobData>(SEND_QUEUE, {
      connection,
      prefix: keys.bullPrefix,
      defaultJobOptions: CHUNK_JOB_OPTIONS,
    });
  }

  /** Adds chunk jobs in bulk; re-adding an existing job id is a no-op in BullMQ. */
  async enqueue(campaignId: string, chunks: number[], generation = 0): Promise<void> {
    for (let i = 0; i < chunks.length; i += 1000) {
      await this.bull.addBulk(
        chunks.slice(i, i + 1000).map((chunk) => ({
          name: 'chunk',
          data: { campaignId, chunk },
          opts: { jobId: chunkJobId(campaignId, chunk, generation) },
        })),
      );
    }
  }

  /** The chunks a canary held back: every chunk after those covering its first `canarySize` recipients. */
  async enqueueHeld(campaignId: string, chunks: number, canarySize: number): Promise<void> {
    const first = Math.ceil(canarySize / CHUNK_SIZE);
    await this.enqueue(
      campaignId,
      Array.from({ length: Math.max(0, chunks - first) }, (_, i) => first + i),
    );
  }

  /** Wakes delayed (parked) chunk jobs now. */
  async wake(jobIds: string[]): Promise<void> {
    for (const jobId of jobIds) {
      const job = await this.bull.getJob(jobId);
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    }
  }

  /** A worker over this queue: `concurrency` chunks at once, the lock settings of SEND_POLICY. */
  worker(processor: ChunkProcessor, concurrency: number): Worker<ChunkJobData, string> {
    return new Worker<ChunkJobData, string>(SEND_QUEUE, processor, {
      connection: this.connection,
      prefix: this.keys.bullPrefix,
      concurrency,
      ...SEND_POLICY.lock,
      settings: { backoffStrategy: chunkJobBackoffMs },
    });
  }

  async jobCounts(): Promise<Record<string, number>> {
    return this.bull.getJobCounts('wait', 'active', 'delayed', 'failed', 'prioritized');
  }

  async close(): Promise<void> {
    await this.bull.close();
  }
}
