import { z } from 'zod';

/**
 * Several key pairs (SPEC §15: one Sobot account per WhatsApp number): each with its own throughput limit (130429
 * above it), an optional "401 after N requests" fault, and the pair rate (131056 when one number gets two requests
 * from one key closer than `pairIntervalMs`). The same JSON as the worker's SENDERS is accepted.
 */
export const keyPairSchema = z
  .object({
    id: z.string().min(1).max(64),
    api_key: z.string().min(1),
    api_secret: z.string().optional(),
    /** Requests per second this key may make (any 1-s window, with WhatsApp's 10 % slack); absent: no limit. */
    rate: z.number().positive().optional(),
    /** After this many requests every request with the key is answered 401 (a revoked key). */
    fail_after: z.number().int().min(0).optional(),
  })
  .loose();

export type KeyPair = z.infer<typeof keyPairSchema>;

/** What one key's requests get, beyond the shared faults. */
export type KeyVerdict = 'ok' | '401' | '130429' | '131056';

interface KeyState {
  pair: KeyPair;
  requests: number;
  /** Arrival times (ms) of admitted requests in the last second, oldest first. */
  recent: number[];
  /** Number → last request time (ms), for the pair rate. */
  lastTo: Map<string, number>;
}

export class KeyRing {
  private readonly byKey = new Map<string, KeyState>();

  constructor(readonly pairs: KeyPair[]) {
    for (const pair of pairs) this.byKey.set(pair.api_key, { pair, requests: 0, recent: [], lastTo: new Map() });
  }

  get empty(): boolean {
    return this.byKey.size === 0;
  }

  /** The key pair a request carries, when it is one of ours (key and secret both right). */
  find(apiKey: string | string[] | undefined, apiSecret: string | string[] | undefined): KeyState | undefined {
    const s = typeof apiKey === 'string' ? this.byKey.get(apiKey) : undefined;
    if (!s || (s.pair.api_secret !== undefined && s.pair.api_secret !== '' && s.pair.api_secret !== apiSecret))
      return undefined;
    return s;
  }

  /**
   * Counts one request of `s` to `number` at `at` and says how the key answers it. `revoked` lists ids answered
   * 401 now (a fault set at run time); `pairIntervalMs` 0 is no pair rate.
   */
  admit(s: KeyState, at: number, number: string, revoked: readonly string[], pairIntervalMs: number): KeyVerdict {
    s.requests += 1;
    if (revoked.includes(s.pair.id) || (s.pair.fail_after !== undefined && s.requests > s.pair.fail_after))
      return '401';
    if (s.pair.rate !== undefined) {
      while (s.recent.length > 0 && s.recent[0]! <= at - 1000) s.recent.shift();
      if (s.recent.length >= Math.floor(s.pair.rate * 1.1)) return '130429';
      s.recent.push(at);
    }
    if (pairIntervalMs > 0 && number !== '') {
      const last = s.lastTo.get(number);
      s.lastTo.set(number, at);
      if (last !== undefined && at - last < pairIntervalMs) return '131056';
    }
    return 'ok';
  }

  reset(): void {
    for (const s of this.byKey.values()) {
      s.requests = 0;
      s.recent = [];
      s.lastTo.clear();
    }
  }
}
