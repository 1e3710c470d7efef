import { randomBytes } from 'node:crypto';
import { DAY_MS } from '@sobot/schema';
import type { StoreContext } from './context';
import { runScript } from './scripts';

/** How long a rotated-out secret still signs (SPEC §16: both sign for 24 h). */
export const PREVIOUS_SECRET_MS = DAY_MS;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new endpoint id: `ep_`, a time-ordered part and randomness. */
export function newEndpointId(now = Date.now()): string {
  const time = now.toString(32).padStart(9, '0');
  return `ep_${time}${Array.from(randomBytes(8), (b) => ALPHABET[b % 32]).join('')}`;
}

export function isEndpointId(id: string): boolean {
  return /^ep_[0-9a-z]{17}$/.test(id);
}

/** An event endpoint as stored, without its secrets. */
export interface EventEndpoint {
  id: string;
  url: string;
  /** Subscribed event types. */
  events: string[];
  campaignId: string | null;
  description: string | null;
  createdAt: number;
  /** When a 410 disabled it (ms); null while enabled. */
  disabledAt: number | null;
}

export interface NewEventEndpoint {
  url: string;
  events: readonly string[];
  campaignId?: string;
  description?: string;
}

/**
 * The event endpoints (SPEC §16). Secrets go in and come out only through `create`, `rotate` and
 * `signingSecrets`; every other read leaves them out, so a view or a log line cannot carry one.
 */
export class EventEndpoints {
  constructor(private readonly ctx: StoreContext) {}

  /** Stores a new endpoint signed with `secret`; the endpoint as stored. */
  async create(input: NewEventEndpoint, secret: string, now = Date.now()): Promise<EventEndpoint> {
    const { redis, keys } = this.ctx;
    const id = newEndpointId(now);
    const fields: Record<string, string> = {
      url: input.url,
      events: input.events.join(','),
      at: String(now),
      s: secret,
    };
    if (input.campaignId) fields.campaign = input.campaignId;
    if (input.description) fields.desc = input.description;
    await redis.multi().hset(keys.eventEndpoint(id), fields).zadd(keys.eventEndpoints, now, id).exec();
    return this.view(id, fields);
  }

  async get(id: string): Promise<EventEndpoint | undefined> {
    if (!isEndpointId(id)) return undefined;
    const fields = await this.ctx.redis.hgetall(this.ctx.keys.eventEndpoint(id));
    return fields.url ? this.view(id, fields) : undefined;
  }

  /** Every endpoint, oldest first. */
  async list(): Promise<EventEndpoint[]> {
    const ids = await this.ctx.redis.zrange(this.ctx.keys.eventEndpoints, 0, -1);
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((e): e is EventEndpoint => e !== undefined);
  }

  /** Removes an endpoint; false when there was none. */
  async remove(id: string): Promise<boolean> {
    if (!isEndpointId(id)) return false;
    const { redis, keys } = this.ctx;
    const result = await redis.multi().del(keys.eventEndpoint(id)).zrem(keys.eventEndpoints, id).exec();
    return result?.[0]?.[1] === 1;
  }

  /**
   * Makes `secret` the endpoint's secret; the one it replaces keeps signing until `now + PREVIOUS_SECRET_MS` (a
   * secret rotated out earlier is dropped). Undefined when the endpoint does not exist; else when the previous
   * secret stops signing (ms).
   */
  async rotate(id: string, secret: string, now = Date.now()): Promise<number | undefined> {
    if (!isEndpointId(id)) return undefined;
    const until = now + PREVIOUS_SECRET_MS;
    const key = this.ctx.keys.eventEndpoint(id);
    const done = await runScript<number>(this.ctx.redis, 'rotateEventSecret', [key], [secret, until]);
    return done === 1 ? until : undefined;
  }

  /** The secrets that sign an event at `now`: the current one first, then the previous one while it lasts. */
  async signingSecrets(id: string, now = Date.now()): Promise<string[]> {
    if (!isEndpointId(id)) return [];
    const [s, s0, s0x] = await this.ctx.redis.hmget(this.ctx.keys.eventEndpoint(id), 's', 's0', 's0x');
    if (!s) return [];
    return s0 && Number(s0x) > now ? [s, s0] : [s];
  }

  private view(id: string, f: Record<string, string>): EventEndpoint {
    return {
      id,
      url: f.url!,
      events: f.events ? f.events.split(',') : [],
      campaignId: f.campaign ?? null,
      description: f.desc ?? null,
      createdAt: Number(f.at),
      disabledAt: f.off ? Number(f.off) : null,
    };
  }
}
