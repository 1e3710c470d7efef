import { createHash } from 'node:crypto';
import { DAY_MS } from '@sobot/schema';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { runScript } from './scripts';

/**
 * Who may be messaged (SPEC §12): the suppression list, each number's 24-hour window, frequency-cap marks and
 * 131049 marks.
 *
 * Layout (memory: a suppressed number costs ~20 B of Redis, see BENCHMARKS.md). A number's last digit is its
 * *group* (the cluster hash tag `{a:<digit>}`: one script call reads or writes a group), the 4 digits before it
 * its *bucket*; the field is the number less those 5 digits. 10 × 10,000 = 100,000 small hashes hold the
 * suppression list, so up to ~12M numbers each stays a listpack (128 fields, Redis's default). A suppression's
 * value is `source × 2^42 + unix second × 1024 + reason id` (an integer below 2^44: 9 bytes, as without the
 * source; a value written before sources existed reads as source 0, `operator`). The time-bound kinds (windows,
 * frequency and 131049 marks) have one set of buckets per UTC day holding the unix second of the event; each
 * day's hashes expire once no lookup can need them (EXPIREAT), so nothing is swept.
 *
 * A lookup of many numbers is one script call per group (at most 10), sent together: one round trip.
 */

/**
 * Who put a number on the list (SPEC §21), by its code in a suppression's value. A customer's START lifts only
 * `keyword` and `upstream`. Code 0 is `operator`: suppressions stored before sources existed read as the
 * operator's, the reading that never lets a customer's START undo what someone else decided.
 */
export const SUPPRESSION_SOURCES = ['operator', 'keyword', 'upstream', 'import'] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];
const SOURCE_UNIT = 2 ** 42;

/** How long inbound message ids are remembered, and the age past which an inbound event changes no suppression. */
export const INBOUND_HORIZON_MS = 7 * DAY_MS;

/** Bit of each kind in a lookup's answer. */
export const AUDIENCE = { suppressed: 1, inWindow: 2, capped: 4, marked131049: 8 } as const;

/** Most distinct suppression reasons (ids live in the low 10 bits of a suppression's value). */
export const MAX_REASONS = 1023;
const REASON_BITS = 1024;
/** A suppression reason's longest text. */
export const MAX_REASON_LENGTH = 200;

const GROUPS = 10;
/** A number's bit in its group's suppression prefilter is its hash modulo this prime, the largest below 2^22 (a map
 * of 512 KiB; 5 MiB for the 10 groups). */
const FILTER_PRIME = 4_194_301;
const DIGITS = /^\d+$/;
const BUCKETS = 10_000;
/** Digits of a number that pick its group and bucket (1 + 4). */
const TAIL = 5;
const DAY_S = 86_400;
/** How long a window stays open after an inbound message, and a 131049 mark blocks retry-failed. */
export const WINDOW_MS = DAY_MS;
/** How long a staged suppression import may wait for its commit (s). */
const STAGE_TTL_S = 3600;
/** Staged batches a commit reads and writes at a time (10 × 5,000 numbers: what a direct `suppress` call takes). */
const COMMIT_BATCHES = 10;
/** A listing or export reads this many buckets per round trip. */
const READ_BATCH = 200;
/** Numbers per script call batch (at most one call per group each): keeps a call's arguments small. */
const SLICE = 5_000;

type Kind = 's' | 'w' | 'f' | 'm';

interface Place {
  group: number;
  bucket: number;
  field: string;
}

/** Where a number lives. Numbers are the digits the API takes (normalised). */
export function place(number: string): Place {
  if (!DIGITS.test(number)) throw new StoreError('BAD_NUMBER', 'not a normalised number (digits only)');
  const tail = number.length >= TAIL ? number.slice(-TAIL) : number.padStart(TAIL, '0');
  // A number shorter than the tail keeps all its digits in the field, marked by `~`.
  const field = number.length > TAIL ? number.slice(0, -TAIL) : `~${number}`;
  return { group: Number(tail[TAIL - 1]), bucket: Number(tail.slice(0, TAIL - 1)), field };
}

/** The number a bucket's field stands for. */
function numberOf(group: number, bucket: number, field: string): string {
  if (field.startsWith('~')) return field.slice(1);
  return `${field}${String(bucket).padStart(TAIL - 1, '0')}${group}`;
}

const unixDay = (ms: number): number => Math.floor(ms / DAY_MS);
const unixSecond = (ms: number): number => Math.floor(ms / 1000);

export interface Suppression {
  number: string;
  /** Why (the caller's words, an upstream code such as `131050`, or the opt-out keyword); null if none given. */
  reason: string | null;
  /** When it was suppressed (ms). */
  at: number;
  /** Who suppressed it. */
  source: SuppressionSource;
}

/** One inbound message as the audience applies it (SPEC §21). */
export interface InboundEvent {
  number: string;
  /** The upstream's message id: a second event with the same id is not applied again. */
  id?: string;
  /** When the customer wrote (ms). */
  atMs: number;
  /** What its text is: an opt-out or opt-in keyword, or neither. */
  action?: 'opt-out' | 'opt-in';
}

/** What became of an inbound event (inbound-apply-3.lua's letters). */
export type InboundEffect =
  | 'duplicate'
  | 'no-keyword'
  | 'too-old'
  | 'out-of-order'
  | 'suppressed'
  | 'already-suppressed'
  | 'lifted'
  | 'kept'
  | 'not-suppressed';

const EFFECTS: Record<string, InboundEffect> = {
  d: 'duplicate',
  '-': 'no-keyword',
  h: 'too-old',
  x: 'out-of-order',
  S: 'suppressed',
  A: 'already-suppressed',
  L: 'lifted',
  K: 'kept',
  N: 'not-suppressed',
};

export interface LookupOptions {
  /** Report whether each number is inside its 24-hour window. */
  window?: boolean;
  /** Report whether each number got a bulk message within this many hours (0 / undefined: no). */
  capHours?: number;
  /** Report whether a 131049 answer for each number came within 24 h. */
  marks131049?: boolean;
  now?: number;
}

/** The store's side of who may be messaged (see the file comment for the layout). */
export class Audience {
  /** Reason texts by id, as far as this process has seen them (ids never change meaning). */
  private readonly reasonNames = new Map<number, string>();
  private readonly reasonIds = new Map<string, number>();

  constructor(private readonly ctx: StoreContext) {}

  /**
   * For each number (in order), the sum of the AUDIENCE bits that apply: suppressed always; the others when
   * asked. One script call per group the numbers fall in, sent together.
   */
  async lookup(numbers: readonly string[], opts: LookupOptions = {}): Promise<Uint8Array> {
    const out = new Uint8Array(numbers.length);
    if (numbers.length === 0) return out;
    const now = opts.now ?? Date.now();
    const nowS = unixSecond(now);
    const today = unixDay(now);
    // What key j of a bucket holds: kind, the day (time-bound kinds), and the oldest value that counts.
    const layout: Array<{ kind: Kind; day?: number; min: number }> = [{ kind: 's', min: 0 }];
    if (opts.window) {
      for (const day of [today, today - 1]) layout.push({ kind: 'w', day, min: nowS - DAY_S + 1 });
    }
    if (opts.capHours && opts.capHours > 0) {
      const from = nowS - Math.round(opts.capHours * 3600) + 1;
      for (let day = today; day >= Math.floor(from / DAY_S); day -= 1) layout.push({ kind: 'f', day, min: from });
    }
    if (opts.marks131049) {
      for (const day of [today, today - 1]) layout.push({ kind: 'm', day, min: nowS - DAY_S + 1 });
    }
    const spec = layout.map((l) => `${l.kind}${l.day ?? ''}:${Math.max(0, l.min)}`);
    const calls: Array<Promise<void>> = [];
    for (let from = 0; from < numbers.length; from += SLICE) {
      const slice = numbers.slice(from, from + SLICE);
      for (const { group, indices } of byGroup(slice)) {
        const packed = indices.map((i) => slice[i]).join(',');
        const args = [this.ctx.keys.audienceGroup(group), spec.length, ...spec, packed];
        calls.push(
          runScript<string>(this.ctx.redis, 'audienceLookup', [this.ctx.keys.suppressedCount(group)], args).then(
            (flags) => indices.forEach((i, k) => (out[from + i] = flags.charCodeAt(k) - 48)),
          ),
        );
      }
    }
    await Promise.all(calls);
    return out;
  }

  /** Inbound messages: each opens its sender's window for 24 h from `atMs`, and says an inbound event arrived. */
  async openWindows(entries: ReadonlyArray<{ number: string; atMs: number }>, now = Date.now()): Promise<void> {
    const writes: Promise<unknown>[] = [this.ctx.redis.set(this.ctx.keys.lastInbound, String(now))];
    // The latest message of each number counts; a message dated in the future counts as now.
    const latest = new Map<string, number>();
    for (const { number, atMs } of entries) {
      const at = Math.min(atMs, now);
      if (now - at >= WINDOW_MS) continue;
      latest.set(number, Math.max(latest.get(number) ?? 0, at));
    }
    // Grouped by day: one set of keys (and one expiry) per day.
    const byDay = new Map<number, Array<{ number: string; value: number }>>();
    for (const [number, at] of latest) {
      const day = unixDay(at);
      byDay.set(day, [...(byDay.get(day) ?? []), { number, value: unixSecond(at) }]);
    }
    for (const [day, items] of byDay) writes.push(this.write('w', items, 'max', day, (day + 2) * DAY_S + 3600));
    await Promise.all(writes);
  }

  /** 131047: these numbers' windows are closed until they write again. */
  async closeWindows(numbers: readonly string[], now = Date.now()): Promise<void> {
    const today = unixDay(now);
    const items = numbers.map((number) => ({ number, value: 0 }));
    await Promise.all([today, today - 1].map((day) => this.write('w', items, 'del', day)));
  }

  /** When an inbound message last arrived at the webhook (ms), or null. */
  async lastInboundAt(): Promise<number | null> {
    const raw = await this.ctx.redis.get(this.ctx.keys.lastInbound);
    return raw ? Number(raw) : null;
  }

  /**
   * Adds numbers to the suppression list; returns how many were not on it already. Those keep their reason and
   * source, except that an `operator` or `import` suppression replaces a `keyword` or `upstream` one: what an
   * operator decides is not lifted by the customer's next START.
   */
  async suppress(
    numbers: readonly string[],
    reason: string | null = null,
    now = Date.now(),
    source: SuppressionSource = 'operator',
  ): Promise<number> {
    if (numbers.length === 0) return 0;
    const id = reason ? await this.reasonId(reason) : 0;
    const value = SUPPRESSION_SOURCES.indexOf(source) * SOURCE_UNIT + unixSecond(now) * REASON_BITS + id;
    // An operator's or an import's suppression replaces one a customer's START could lift (SPEC §21).
    const op = source === 'operator' || source === 'import' ? 'hold' : 'nx';
    return this.write(
      's',
      numbers.map((number) => ({ number, value })),
      op,
    );
  }

  /**
   * Inbound messages (SPEC §21), each applied once: an event whose id was seen within the horizon is a duplicate;
   * an opt-out suppresses its number (source `keyword`, reason `reason`) and an opt-in lifts a `keyword` or
   * `upstream` suppression, only when the event is not older than the horizon nor than the number's latest
   * applied keyword event. An event dated in the future counts as now. Effects in the order of `events`.
   */
  async applyInbound(
    events: readonly InboundEvent[],
    reason: string,
    opts: { now?: number; horizonMs?: number } = {},
  ): Promise<InboundEffect[]> {
    const out: InboundEffect[] = new Array<InboundEffect>(events.length);
    if (events.length === 0) return out;
    const now = opts.now ?? Date.now();
    const horizon = Math.max(1, Math.round((opts.horizonMs ?? INBOUND_HORIZON_MS) / 1000));
    const base = SUPPRESSION_SOURCES.indexOf('keyword') * SOURCE_UNIT + (await this.reasonId(reason));
    // In time order (stable: the body's order breaks ties), so that the script applies a number's latest last.
    const order = events.map((_, i) => i).sort((a, b) => events[a]!.atMs - events[b]!.atMs);
    const { keys } = this.ctx;
    const calls: Array<Promise<void>> = [];
    for (let from = 0; from < order.length; from += SLICE) {
      const slice = order.slice(from, from + SLICE);
      for (const { group, indices } of byGroup(slice.map((i) => events[i]!.number))) {
        const args: Array<string | number> = [keys.audienceGroup(group), unixSecond(now), horizon, base];
        for (const k of indices) {
          const e = events[slice[k]!]!;
          const action = e.action === 'opt-out' ? 'o' : e.action === 'opt-in' ? 'i' : '-';
          args.push(e.number, seenId(e.id), unixSecond(Math.min(e.atMs, now)), action);
        }
        const slot = [keys.suppressedCount(group), keys.suppressedBuckets(group), keys.suppressedFilter(group)];
        calls.push(
          runScript<string>(this.ctx.redis, 'inboundApply', slot, args).then((letters) =>
            indices.forEach((k, j) => (out[slice[k]!] = EFFECTS[letters[j]!] ?? 'no-keyword')),
          ),
        );
      }
    }
    await Promise.all(calls);
    return out;
  }

  /**
   * A suppression import, all or nothing (SPEC §21): while the file is read its numbers are staged under `id`
   * (in Redis, not in memory), none suppressed; `commitImport` then suppresses them, `dropImport` forgets them.
   * A stage nobody commits or drops expires after an hour.
   */
  async stageImport(id: string, numbers: readonly string[]): Promise<void> {
    if (numbers.length === 0) return;
    for (const n of numbers) if (!DIGITS.test(n)) throw new StoreError('BAD_NUMBER', 'not a normalised number');
    const key = this.ctx.keys.suppressionImport(id);
    await this.ctx.redis.multi().rpush(key, numbers.join(',')).expire(key, STAGE_TTL_S).exec();
  }

  /** Suppresses every staged number of the import, then forgets the stage; how many were not suppressed before. */
  async commitImport(
    id: string,
    reason: string | null,
    source: SuppressionSource = 'import',
    now = Date.now(),
  ): Promise<number> {
    const key = this.ctx.keys.suppressionImport(id);
    let added = 0;
    // A few staged batches per round of writes (their script calls go out together), one round at a time.
    for (let i = 0; ; i += COMMIT_BATCHES) {
      const batches = await this.ctx.redis.lrange(key, i, i + COMMIT_BATCHES - 1);
      if (batches.length === 0) break;
      added += await this.suppress(batches.join(',').split(','), reason, now, source);
    }
    await this.ctx.redis.del(key);
    return added;
  }

  /** Forgets a staged import (refused): nothing of it was suppressed. */
  async dropImport(id: string): Promise<void> {
    await this.ctx.redis.del(this.ctx.keys.suppressionImport(id));
  }

  /** Removes numbers from the suppression list; returns how many were on it. */
  async unsuppress(numbers: readonly string[]): Promise<number> {
    if (numbers.length === 0) return 0;
    return this.write(
      's',
      numbers.map((number) => ({ number, value: 0 })),
      'del',
    );
  }

  /** One number's suppression, or undefined when it is not suppressed. */
  async suppression(number: string): Promise<Suppression | undefined> {
    const p = place(number);
    const raw = await this.ctx.redis.hget(this.ctx.keys.audience('s', p.group, p.bucket), p.field);
    if (raw === null) return undefined;
    if (!this.knownReason(raw)) await this.loadReasons();
    return this.decode(number, raw);
  }

  /** How many numbers are suppressed. */
  async suppressedCount(): Promise<number> {
    const counts = await Promise.all(
      Array.from({ length: GROUPS }, (_, g) => this.ctx.redis.get(this.ctx.keys.suppressedCount(g))),
    );
    return counts.reduce((sum, c) => sum + Number(c ?? 0), 0);
  }

  /**
   * A page of the suppression list, in bucket order (stable while the list does not change). `cursor` is the
   * previous page's `next`; `next` is null after the last page. Only buckets holding numbers are read (each
   * group keeps a bitmap of them).
   */
  async suppressions(
    limit: number,
    cursor: string | null = null,
  ): Promise<{ items: Suppression[]; next: string | null }> {
    const items: Suppression[] = [];
    const [start, startSkip] = decodeCursor(cursor);
    const buckets = (await this.nonEmptyBuckets()).filter((b) => b >= start);
    let skip = startSkip;
    for (let i = 0; i < buckets.length; i += READ_BATCH) {
      const batch = buckets.slice(i, i + READ_BATCH);
      const read = await this.readBuckets(batch);
      for (let j = 0; j < batch.length; j += 1) {
        const at = batch[j]!;
        const rest = read[j]!.slice(at === start ? skip : 0);
        const room = limit - items.length;
        if (rest.length > room) {
          items.push(...rest.slice(0, room));
          return { items, next: `${at}.${(at === start ? skip : 0) + room}` };
        }
        items.push(...rest);
        if (items.length === limit) {
          const following = buckets[i + j + 1];
          return { items, next: following === undefined ? null : `${following}.0` };
        }
      }
      skip = 0;
    }
    return { items, next: null };
  }

  /** Every suppression, a batch of buckets at a time (for exports). */
  async *allSuppressions(): AsyncGenerator<Suppression[]> {
    const buckets = await this.nonEmptyBuckets();
    for (let i = 0; i < buckets.length; i += READ_BATCH) {
      const batch = (await this.readBuckets(buckets.slice(i, i + READ_BATCH))).flat();
      if (batch.length > 0) yield batch;
    }
  }

  /** Global indices (group × BUCKETS + bucket) of the suppression buckets holding numbers, ascending. */
  private async nonEmptyBuckets(): Promise<number[]> {
    const maps = await Promise.all(
      Array.from({ length: GROUPS }, (_, g) => this.ctx.redis.getBuffer(this.ctx.keys.suppressedBuckets(g))),
    );
    const out: number[] = [];
    maps.forEach((map, g) => {
      if (!map) return;
      for (let byte = 0; byte < map.length; byte += 1) {
        const bits = map[byte]!;
        if (bits === 0) continue;
        for (let bit = 0; bit < 8; bit += 1) {
          if (bits & (0x80 >> bit)) out.push(g * BUCKETS + byte * 8 + bit);
        }
      }
    });
    return out;
  }

  /**
   * The suppression list's prefilter, read once (10 bitmaps of up to 512 KiB): `false` means surely not suppressed,
   * `true` "maybe" (look it up). For a long upload, where most numbers then need no lookup at all; it may miss
   * numbers suppressed after it was read (the send-time check sees them).
   */
  async suppressionFilter(): Promise<(number: string) => boolean> {
    const maps = await Promise.all(
      Array.from({ length: GROUPS }, (_, g) => this.ctx.redis.getBuffer(this.ctx.keys.suppressedFilter(g))),
    );
    return (number) => {
      const map = maps[number.charCodeAt(number.length - 1) - 48];
      if (!map) return false;
      const bit = filterBit(number);
      const byte = bit >> 3;
      return byte < map.length && (map[byte]! & (0x80 >> (bit & 7))) !== 0;
    };
  }

  /** Bulk messages sent: marks for the frequency cap, kept `capHours` (and a day's slack). */
  async markSent(numbers: readonly string[], capHours: number, now = Date.now()): Promise<void> {
    if (numbers.length === 0 || !(capHours > 0)) return;
    const day = unixDay(now);
    const value = unixSecond(now);
    const expireAt = (day + 2) * DAY_S + Math.ceil(capHours * 3600);
    await this.write(
      'f',
      numbers.map((number) => ({ number, value })),
      'max',
      day,
      expireAt,
    );
  }

  /** 131049 answers: retry-failed leaves these numbers alone for 24 h. */
  async mark131049(numbers: readonly string[], now = Date.now()): Promise<void> {
    if (numbers.length === 0) return;
    const day = unixDay(now);
    const value = unixSecond(now);
    await this.write(
      'm',
      numbers.map((number) => ({ number, value })),
      'max',
      day,
      (day + 2) * DAY_S + 3600,
    );
  }

  /** Entries of the given buckets (global indices), each bucket's sorted by number. */
  private async readBuckets(buckets: readonly number[]): Promise<Suppression[][]> {
    const { redis, keys } = this.ctx;
    const hashes = await Promise.all(
      buckets.map((i) => redis.hgetall(keys.audience('s', Math.floor(i / BUCKETS), i % BUCKETS))),
    );
    const out: Suppression[][] = [];
    for (let i = 0; i < hashes.length; i += 1) {
      const g = Math.floor(buckets[i]! / BUCKETS);
      const b = buckets[i]! % BUCKETS;
      const entries = Object.entries(hashes[i]!);
      if (entries.some(([, v]) => !this.knownReason(v))) await this.loadReasons();
      out.push(
        entries
          .map(([field, v]) => this.decode(numberOf(g, b, field), v))
          .sort((x, y) => (x.number < y.number ? -1 : x.number > y.number ? 1 : 0)),
      );
    }
    return out;
  }

  /** Whether this process knows the text of a stored suppression's reason (or it has none). */
  private knownReason(raw: string): boolean {
    const id = Number(raw) % REASON_BITS;
    return id === 0 || this.reasonNames.has(id);
  }

  private decode(number: string, raw: string): Suppression {
    const v = Number(raw);
    const id = v % REASON_BITS;
    const rest = v % SOURCE_UNIT;
    return {
      number,
      reason: id === 0 ? null : (this.reasonNames.get(id) ?? null),
      at: Math.floor(rest / REASON_BITS) * 1000,
      source: SUPPRESSION_SOURCES[Math.floor(v / SOURCE_UNIT)] ?? 'operator',
    };
  }

  private async loadReasons(): Promise<void> {
    const all = await this.ctx.redis.hgetall(this.ctx.keys.suppressionReasons);
    for (const [k, v] of Object.entries(all)) {
      if (k.startsWith('i:')) this.reasonNames.set(Number(k.slice(2)), v);
    }
  }

  private async reasonId(reason: string): Promise<number> {
    const text = reason.slice(0, MAX_REASON_LENGTH);
    const known = this.reasonIds.get(text);
    if (known !== undefined) return known;
    const id = await runScript<number>(
      this.ctx.redis,
      'reasonId',
      [this.ctx.keys.suppressionReasons],
      [text, MAX_REASONS],
    );
    if (id < 0)
      throw new StoreError('TOO_MANY_REASONS', `more than ${MAX_REASONS} distinct suppression reasons: reuse one`);
    this.reasonIds.set(text, id);
    this.reasonNames.set(id, text);
    return id;
  }

  /** One write script call per group and slice of SLICE numbers, sent together; returns the fields changed. */
  private async write(
    kind: Kind,
    entries: ReadonlyArray<{ number: string; value: number }>,
    op: 'nx' | 'hold' | 'max' | 'del',
    day?: number,
    expireAt = 0,
  ): Promise<number> {
    const { keys } = this.ctx;
    const same = entries.every((e) => e.value === entries[0]?.value);
    const calls: Array<Promise<number>> = [];
    for (let from = 0; from < entries.length; from += SLICE) {
      const slice = entries.slice(from, from + SLICE);
      for (const { group, indices } of byGroup(slice.map((e) => e.number))) {
        const numbers = indices.map((i) => slice[i]!.number).join(',');
        const values = same ? String(slice[0]!.value) : indices.map((i) => slice[i]!.value).join(',');
        const args = [keys.audienceGroup(group), kind, day ?? '', op, expireAt, numbers, values];
        const slot = [keys.suppressedCount(group), keys.suppressedBuckets(group), keys.suppressedFilter(group)];
        calls.push(runScript<number>(this.ctx.redis, 'audienceWrite', slot, args));
      }
    }
    return (await Promise.all(calls)).reduce((a, b) => a + b, 0);
  }
}

/** A message id as its seen-key holds it: a long one (or one with odd bytes) by its hash, so keys stay small. */
function seenId(id: string | undefined): string {
  if (id === undefined || id === '') return '';
  return id.length <= 128 && /^[\x21-\x7e]+$/.test(id) ? id : `#${createHash('sha256').update(id).digest('base64url')}`;
}

/** Indices of the numbers by group (their last digit): a script call's worth each. Refuses non-digits. */
function byGroup(numbers: readonly string[]): Array<{ group: number; indices: number[] }> {
  const groups: number[][] = Array.from({ length: GROUPS }, () => []);
  numbers.forEach((n, i) => {
    if (!DIGITS.test(n)) throw new StoreError('BAD_NUMBER', 'not a normalised number (digits only)');
    groups[n.charCodeAt(n.length - 1) - 48]!.push(i);
  });
  return groups.flatMap((indices, group) => (indices.length > 0 ? [{ group, indices }] : []));
}
/**
 * A number's bit in its group's prefilter: x = the number less its last digit (the group's), then
 * `((x mod 2^16) × 1000003 + ⌊x / 2^16⌋) mod 4194301` (a prime below 2^22), as audience-write-3.lua computes it
 * (every step exact in a double). Mixed, so that runs of numbers (a range of a list, a range on the suppression
 * list) spread over the map: `x mod p` alone, or a power-of-two modulus, made whole runs collide (7% false
 * "maybe" instead of the 2.4% of random bits at a million numbers). ~0.1 µs a number.
 */
export function filterBit(number: string): number {
  const x = Number(number.slice(0, -1));
  return ((x % 65_536) * 1_000_003 + Math.floor(x / 65_536)) % FILTER_PRIME;
}

function decodeCursor(cursor: string | null): [number, number] {
  if (!cursor) return [0, 0];
  const m = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!m) throw new StoreError('BAD_CURSOR', 'cursor is not one this list gave');
  return [Number(m[1]), Number(m[2])];
}
