import type { DeliveryEvent } from '@sobot/schema';
import { META } from './campaign-meta';
import { locate, type StoreContext } from './context';
import { encodeDelivery } from './delivery-codec';
import { parseMessageId } from './ids';
import { findWamids } from './ledger';
import type { Outbox } from './outbox';
import { runScript } from './scripts';

export type DeliveryResult = 'applied' | 'stale' | 'unknown';

/** Events looked up per round trip: a body within the webhook's default WEBHOOK_MAX_EVENTS takes one. */
export const RECORD_SLICE = 10_000;

/** What became of a batch of events. */
export type DeliveryTally = Record<DeliveryResult, number>;

/** Delivery status events from the webhook, applied to the messages that have their wamids. */
export class Deliveries {
  constructor(
    private readonly ctx: StoreContext,
    private readonly outbox?: Outbox,
  ) {}

  async record(e: DeliveryEvent): Promise<DeliveryResult> {
    const [result] = await this.apply([e]);
    return result ?? 'unknown';
  }

  /**
   * A webhook body's events: the wamid index is looked up for all of them at once (one HMGET per index
   * bucket and day, one round trip per RECORD_SLICE events), then each known event is applied by the
   * per-message script, pipelined. Unknown wamids cost nothing more than their share of the lookup.
   */
  async recordMany(events: readonly DeliveryEvent[]): Promise<DeliveryTally> {
    const tally: DeliveryTally = { applied: 0, stale: 0, unknown: 0 };
    // Slices bound what one round trip writes and holds (the commands' arguments and replies).
    for (let from = 0; from < events.length; from += RECORD_SLICE) {
      for (const result of await this.apply(events.slice(from, from + RECORD_SLICE))) tally[result] += 1;
    }
    return tally;
  }

  private async apply(events: readonly DeliveryEvent[]): Promise<DeliveryResult[]> {
    const { redis, keys } = this.ctx;
    if (events.length === 0) return [];
    const ids = await findWamids(
      this.ctx,
      events.map((e) => e.wamid),
    );
    const refs = events.map((e) => {
      const id = ids.get(e.wamid);
      return id ? parseMessageId(id) : undefined;
    });
    const campaigns = [...new Set(refs.filter((r) => r !== undefined).map((r) => r.campaignId))];
    if (campaigns.length === 0) return events.map(() => 'unknown');
    const sizes = await Promise.all(campaigns.map((c) => redis.hget(keys.meta(c), META.chunkSize)));
    const chunkSize = new Map(campaigns.map((c, i) => [c, Number(sizes[i] ?? 0)]));
    return Promise.all(
      events.map(async (e, i): Promise<DeliveryResult> => {
        const ref = refs[i];
        const size = ref ? (chunkSize.get(ref.campaignId) ?? 0) : 0;
        if (!ref || !size) return 'unknown';
        const { chunk, offset } = locate(ref.index, size);
        const encoded = encodeDelivery({
          status: e.status,
          at: e.at,
          code: e.errorCode ?? '',
          message: e.errorMessage ?? '',
        });
        // SPEC §16: delivered / read events only (a sent or failed status is not a new event of its own).
        const wanted = e.status === 'delivered' || e.status === 'read';
        const events = wanted && this.outbox ? await this.outbox.prepare(ref.campaignId) : undefined;
        const [moved] = await Promise.all([
          runScript<number>(
            redis,
            'recordDelivery',
            [keys.deliveries(ref.campaignId, chunk), keys.counts(ref.campaignId)],
            [offset, e.status, encoded, events?.key ?? '', ref.index],
          ),
          events?.marked,
        ]);
        return moved === 1 ? 'applied' : 'stale';
      }),
    );
  }
}
