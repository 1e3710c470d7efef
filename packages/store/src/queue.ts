import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Keys } from './keys';
import { CHUNK_SIZE } from './context';

/** The one BullMQ queue: each job is one chunk of one campaign's recipients. */
export const SEND_QUEUE = 'send';

export interface ChunkJobData {
  campaignId: string;
  chunk: number;
}

/** Chunk jobs never fail for a message's sake (outcomes live in the ledger); these attempts cover crashes and Redis errors. */
export const CHUNK_JOB_OPTIONS: JobsOptions = {
  attempts: 50,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function chunkJobId(campaignId: string, chunk: number, generation = 0): string {
  return generation === 0 ? `${campaignId}-${chunk}` : `${campaignId}-${chunk}-r${generation}`;
}

export function createSendQueue(connection: ConnectionOptions, keys: Keys): Queue<ChunkJobData> {
  return new Queue<ChunkJobData>(SEND_QUEUE, {
    connection,
    prefix: keys.bullPrefix,
    defaultJobOptions: CHUNK_JOB_OPTIONS,
  });
}

/** Adds the chunk jobs of a campaign in bulk; re-adding an existing job id is a no-op in BullMQ. */
export async function enqueueChunks(
  queue: Queue<ChunkJobData>,
  campaignId: string,
  chunks: number[],
  generation = 0,
): Promise<void> {
  for (let i = 0; i < chunks.length; i += 1000) {
    await queue.addBulk(
      chunks.slice(i, i + 1000).map((chunk) => ({
        name: 'chunk',
        data: { campaignId, chunk },
        opts: { jobId: chunkJobId(campaignId, chunk, generation) },
      })),
    );
  }
}

/** The chunks a canary held back: every chunk after those covering its first `canarySize` recipients. */
export async function enqueueHeldChunks(
  queue: Queue<ChunkJobData>,
  campaignId: string,
  chunks: number,
  canarySize: number,
): Promise<void> {
  const first = Math.ceil(canarySize / CHUNK_SIZE);
  await enqueueChunks(
    queue,
    campaignId,
    Array.from({ length: Math.max(0, chunks - first) }, (_, i) => first + i),
  );
}
