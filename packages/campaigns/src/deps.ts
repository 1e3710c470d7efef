import type { Queue } from 'bullmq';
import type { ChunkJobData, StoreContext } from '@sobot/store';

export interface CampaignDeps {
  ctx: StoreContext;
  queue: Queue<ChunkJobData>;
}
