import type { Store } from '@sobot/store';
import type { ProducerConfig } from './config';

/** What the HTTP app is built from (main.ts makes them; tests make their own). */
export interface AppDeps {
  cfg: ProducerConfig;
  store: Store;
}
