import type { Store } from '@sobot/store';

export interface CampaignDeps {
  store: Store;
}
