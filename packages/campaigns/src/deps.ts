import type { Store } from '@sobot/store';

export interface CampaignDeps {
  store: Store;
  /** The producer's settings that shape uploads (its whole config fits); absent → the safe defaults. */
  cfg?: { ALLOW_PRIVATE_URLS: boolean };
}
