import type { DeliveryStatus } from '@sobot/schema';
import { locate, type StoreContext } from './context';
import { parseMessageId } from './ids';
import { findWamid } from './ledger';
import { runScript } from './scripts';

export interface DeliveryEvent {
  wamid: string;
  status: DeliveryStatus;
  /** Event time, ms. */
  at: number;
  errorCode?: string;
  errorMessage?: string;
}

export type DeliveryResult = 'applied' | 'stale' | 'unknown';

/** Applies one delivery status event from the webhook to the message that has its wamid. */
export async function recordDelivery(ctx: StoreContext, e: DeliveryEvent): Promise<DeliveryResult> {
  const id = await findWamid(ctx, e.wamid);
  const ref = id ? parseMessageId(id) : undefined;
  if (!ref) return 'unknown';
  const chunkSize = Number((await ctx.redis.hget(ctx.keys.meta(ref.campaignId), 'chunk_size')) ?? 0);
  if (!chunkSize) return 'unknown';
  const { chunk, offset } = locate(ref.index, chunkSize);
  const moved = await runScript<number>(
    ctx.redis,
    'recordDelivery',
    [ctx.keys.deliveries(ref.campaignId, chunk), ctx.keys.counts(ref.campaignId)],
    [offset, e.status, e.at, (e.errorCode ?? '').replace(/\|/g, '/'), e.errorMessage ?? ''],
  );
  return moved === 1 ? 'applied' : 'stale';
}
