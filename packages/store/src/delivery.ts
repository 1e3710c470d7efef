import type { DeliveryEvent } from '@sobot/schema';
import { META } from './campaign-meta';
import { locate, type StoreContext } from './context';
import { encodeDelivery } from './delivery-codec';
import { parseMessageId } from './ids';
import { findWamid } from './ledger';
import { runScript } from './scripts';

export type DeliveryResult = 'applied' | 'stale' | 'unknown';

/** Delivery status events from the webhook, applied to the messages that have their wamids. */
export class Deliveries {
  constructor(private readonly ctx: StoreContext) {}

  async record(e: DeliveryEvent): Promise<DeliveryResult> {
    const { redis, keys } = this.ctx;
    const id = await findWamid(this.ctx, e.wamid);
    const ref = id ? parseMessageId(id) : undefined;
    if (!ref) return 'unknown';
    const chunkSize = Number((await redis.hget(keys.meta(ref.campaignId), META.chunkSize)) ?? 0);
    if (!chunkSize) return 'unknown';
    const { chunk, offset } = locate(ref.index, chunkSize);
    const encoded = encodeDelivery({
      status: e.status,
      at: e.at,
      code: e.errorCode ?? '',
      message: e.errorMessage ?? '',
    });
    const moved = await runScript<number>(
      redis,
      'recordDelivery',
      [keys.deliveries(ref.campaignId, chunk), keys.counts(ref.campaignId)],
      [offset, e.status, encoded],
    );
    return moved === 1 ? 'applied' : 'stale';
  }
}
