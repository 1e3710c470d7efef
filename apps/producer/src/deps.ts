import type { Queue } from 'bullmq';
import type { CampaignControl, CampaignReader, ChunkJobData, StoreContext } from '@sobot/store';
import type { ProducerConfig } from './config';

/** What the HTTP app is built from (main.ts makes them; tests make their own). */
export interface AppDeps {
  cfg: ProducerConfig;
  ctx: StoreContext;
  queue: Queue<ChunkJobData>;
  reader: CampaignReader;
  control: CampaignControl;
}
