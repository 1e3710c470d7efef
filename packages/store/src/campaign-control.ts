import type { Queue } from 'bullmq';
import type { CampaignStatus } from '@sobot/schema';
import type { StoreContext } from './context';
import { InvalidStateError, NotFoundError } from './errors';
import { enqueueChunks, enqueueHeldChunks, type ChunkJobData } from './queue';
import { runScript } from './scripts';
import { expireCampaign, persistCampaign } from './retention';
import { resumeSystem } from './send-rate';

export interface ControlResult {
  status: CampaignStatus;
  /** retry-failed: recipients put back to pending. */
  reset?: number;
}

/** Operator actions on a campaign: they take effect in every worker within about a second. */
export class CampaignControl {
  constructor(
    private readonly ctx: StoreContext,
    private readonly queue: Queue<ChunkJobData>,
    private readonly resultTtlSeconds: number,
  ) {}

  private async move(
    id: string,
    to: CampaignStatus,
    from: CampaignStatus[],
    operation: string,
    setField = '',
    clearField = '',
  ): Promise<void> {
    const [moved, current] = await runScript<[number, string]>(
      this.ctx.redis,
      'setStatus',
      [this.ctx.keys.meta(id)],
      [to, from.join(','), Date.now(), setField, clearField],
    );
    if (moved === 1 || current === to) return;
    if (current === '') throw new NotFoundError(`campaign ${id}`);
    throw new InvalidStateError(current, operation);
  }

  async pause(id: string): Promise<ControlResult> {
    await this.move(id, 'paused', ['queued', 'running'], 'pause');
    return { status: 'paused' };
  }

  /** Resumes a paused campaign; also lifts a system pause (the operator says the cause is fixed). */
  async resume(id: string): Promise<ControlResult> {
    const started = await this.ctx.redis.hget(this.ctx.keys.meta(id), 'started_at');
    const to: CampaignStatus = started ? 'running' : 'queued';
    const lifted = await resumeSystem(this.ctx);
    try {
      await this.move(id, to, ['paused'], 'resume', '', 'paused_reason');
    } catch (err) {
      // A running campaign shown as paused only because of the system pause: lifting it was the resume.
      if (!(lifted && err instanceof InvalidStateError && (err.current === 'running' || err.current === 'queued')))
        throw err;
    }
    await this.unpark(id);
    await this.releaseCanary(id);
    return { status: (await this.ctx.redis.hget(this.ctx.keys.meta(id), 'status')) as CampaignStatus };
  }

  /** An operator resuming a campaign whose canary held chunks back releases them. */
  private async releaseCanary(id: string): Promise<void> {
    const { redis, keys } = this.ctx;
    const [chunks, canary, size] = await redis.hmget(keys.meta(id), 'chunks', 'canary_state', 'canary_n');
    if (canary !== 'pending' && canary !== 'failed') return;
    await redis.hset(keys.meta(id), 'canary_state', 'overridden');
    await enqueueHeldChunks(this.queue, id, Number(chunks ?? 0), Number(size ?? 0));
  }

  async cancel(id: string): Promise<ControlResult> {
    await this.move(id, 'cancelled', ['queued', 'running', 'paused'], 'cancel', 'completed_at');
    await this.unpark(id);
    await expireCampaign(this.ctx, id, this.resultTtlSeconds);
    return { status: 'cancelled' };
  }

  /** Puts every failed recipient back to pending, with the campaign's frozen image and caption. */
  async retryFailed(id: string): Promise<ControlResult> {
    const { redis, keys } = this.ctx;
    const [status, chunksRaw] = await redis.hmget(keys.meta(id), 'status', 'chunks');
    if (!status) throw new NotFoundError(`campaign ${id}`);
    if (status === 'cancelled') throw new InvalidStateError(status, 'retry the failures of');
    const chunks = Number(chunksRaw ?? 0);
    await persistCampaign(this.ctx, id, chunks);
    const now = Date.now();
    const touched: number[] = [];
    let reset = 0;
    for (let c = 0; c < chunks; c += 1) {
      const n = await runScript<number>(
        redis,
        'resetFailed',
        [keys.outcomes(id, c), keys.counts(id), keys.failures(id), keys.meta(id)],
        [now],
      );
      if (n > 0) {
        touched.push(c);
        reset += n;
      }
    }
    if (reset === 0) return { status: status as CampaignStatus, reset };
    const generation = await redis.hincrby(keys.meta(id), 'retry_gen', 1);
    if (status === 'completed') await this.move(id, 'running', ['completed'], 'retry', '', 'completed_at');
    await enqueueChunks(this.queue, id, touched, generation);
    return { status: (await redis.hget(keys.meta(id), 'status')) as CampaignStatus, reset };
  }

  /** Wakes the chunk jobs a worker parked while the campaign was paused. */
  private async unpark(id: string): Promise<void> {
    const key = this.ctx.keys.parked(id);
    const jobIds = await this.ctx.redis.smembers(key);
    for (const jobId of jobIds) {
      const job = await this.queue.getJob(jobId);
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
      await this.ctx.redis.srem(key, jobId);
    }
  }
}
