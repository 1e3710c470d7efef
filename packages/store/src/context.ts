import type { Keys } from './keys';
import type { RedisClient } from './redis';

/** What every store module needs: a connection and the key builder. */
export interface StoreContext {
  redis: RedisClient;
  keys: Keys;
}

/** Recipients per chunk (one BullMQ job, one stored JSON string, one outcome hash). */
export const CHUNK_SIZE = 200;

/** Where recipient `index` of a campaign lives. */
export function locate(index: number, chunkSize = CHUNK_SIZE): { chunk: number; offset: number } {
  return { chunk: Math.floor(index / chunkSize), offset: index % chunkSize };
}
