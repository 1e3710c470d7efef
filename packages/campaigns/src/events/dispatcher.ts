import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Agent } from 'undici';
import {
  EVENT_KINDS,
  LATENCY_BUCKETS,
  eventRef,
  parseEventRef,
  type EventEndpoint,
  type OutboxSource,
  type Store,
} from '@sobot/store';
import type { Resolve } from '../public-address';
import { attemptDelivery, endpointAgent } from './delivery-attempt';
import { afterFailure, EVENT_POLICY, type EventPolicy } from './policy';

export interface DispatcherOptions {
  /** ALLOW_PRIVATE_URLS: receivers on loopback and private addresses may be reached (sandbox, tests). */
  allowPrivateUrls?: boolean;
  resolve?: Resolve;
  policy?: Partial<EventPolicy>;
}

/** Outboxes read per pump pass, and entries per outbox read. */
const SOURCES_PER_PASS = 200;
const ENTRIES_PER_READ = 500;
/** The pump lease: another process takes over this long after a pump died. */
const PUMP_LEASE_MS = 5_000;

const sleep = (ms: number, wake: { fn?: () => void }) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    wake.fn = () => {
      clearTimeout(t);
      r();
    };
  });

/**
 * The delivery engine (SPEC §16), run by each worker process: a pump moves outbox entries into one queue per
 * endpoint (one pump at a time across processes, a lease), and a loop per endpoint sends what is due with its own
 * concurrency, so a slow or dead endpoint waits only on itself. At least once: a delivery is claimed for a lease,
 * and only a recorded answer takes it out of its queue.
 */
export class EventDispatcher {
  private readonly policy: EventPolicy;
  private readonly loops = new Map<string, EndpointLoop>();
  private endpoints: EventEndpoint[] = [];
  private endpointsAt = 0;
  private running = false;
  private readonly pumpWake: { fn?: () => void } = {};
  private readonly token = randomBytes(8).toString('hex');
  private pumpDone: Promise<void> = Promise.resolve();
  /** Lag (state change → 2xx) counts not yet added to the shared metrics. */
  readonly lag = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions = {},
  ) {
    this.policy = { ...EVENT_POLICY, ...opts.policy };
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.pumpDone = this.pumpLoop();
    this.flushTimer = setInterval(() => void this.flushMetrics(), 1_000);
    this.flushTimer.unref();
    return this;
  }

  async close(): Promise<void> {
    this.running = false;
    this.pumpWake.fn?.();
    clearInterval(this.flushTimer);
    await this.pumpDone;
    await Promise.all([...this.loops.values()].map((l) => l.stop()));
    this.loops.clear();
    await this.store.outboxPump.releaseLease(this.token).catch(() => undefined);
    await this.flushMetrics();
  }

  private async flushMetrics(): Promise<void> {
    if (this.lag.size === 0) return;
    const deltas = new Map(this.lag);
    this.lag.clear();
    await this.store.metrics.add(deltas).catch(() => undefined);
  }

  /** Counts one delivery's lag (ms from the state change to its 2xx) into the `evlag:` histogram. */
  observeLag(ms: number): void {
    const s = ms / 1000;
    const bucket = LATENCY_BUCKETS.findIndex((b) => s <= b);
    const field = `evlag:${bucket === -1 ? 'inf' : bucket}`;
    this.lag.set(field, (this.lag.get(field) ?? 0) + 1);
    this.lag.set('evlag:sum_ms', (this.lag.get('evlag:sum_ms') ?? 0) + ms);
    this.lag.set('evlag:count', (this.lag.get('evlag:count') ?? 0) + 1);
  }

  /** Reads the endpoint list again when it is older than endpointsEveryMs; starts and stops endpoint loops. */
  private async refreshEndpoints(now = Date.now()): Promise<void> {
    if (now - this.endpointsAt < this.policy.endpointsEveryMs) return;
    this.endpoints = await this.store.eventEndpoints.list();
    this.endpointsAt = now;
    const ids = new Set(this.endpoints.map((e) => e.id));
    for (const [id, loop] of this.loops) {
      if (!ids.has(id)) {
        this.loops.delete(id);
        void loop.stop();
      }
    }
    for (const ep of this.endpoints) {
      const loop = this.loops.get(ep.id);
      if (loop) loop.update(ep);
      else this.loops.set(ep.id, new EndpointLoop(this, ep).start());
    }
  }

  private async pumpLoop(): Promise<void> {
    let idle = 0;
    while (this.running) {
      let moved = 0;
      try {
        await this.refreshEndpoints();
        if (await this.store.outboxPump.lease(this.token, PUMP_LEASE_MS)) moved = await this.pumpOnce();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'event pump: redis trouble (retrying)');
      }
      if (!this.running) break;
      // Work keeps it going; an idle pump looks again after a short pause (≤ pollMs: lag p95 ≤ 1 s).
      idle = moved > 0 ? 0 : idle + 1;
      await sleep(moved > 0 ? 5 : Math.min(this.policy.pollMs, 10 * idle), this.pumpWake);
    }
  }

  /** One pass over the listed outboxes: how many events were handed over. */
  async pumpOnce(now = Date.now()): Promise<number> {
    const sources = await this.store.outboxPump.sources(SOURCES_PER_PASS);
    let moved = 0;
    await Promise.all(
      sources.map(async (s) => {
        moved += await this.pumpSource(s, now);
      }),
    );
    return moved;
  }

  private async pumpSource(source: OutboxSource, now: number): Promise<number> {
    const { campaignId } = source;
    const entries = await this.store.outboxPump.read(campaignId, ENTRIES_PER_READ);
    if (entries.length > 0) {
      const refs = new Map<string, string[]>();
      const reasons = new Map<string, string>();
      for (const e of entries) {
        const type = EVENT_KINDS[e.kind];
        const at = Number(e.sid.split('-')[0]);
        const ref = eventRef(campaignId, e.sid, e.kind, e.index);
        for (const ep of this.endpoints) {
          if (!ep.events.includes(type)) continue;
          if (ep.campaignId && ep.campaignId !== campaignId) continue;
          if (at < ep.createdAt) continue;
          const list = refs.get(ep.id);
          if (list) list.push(ref);
          else refs.set(ep.id, [ref]);
        }
        if (e.kind === 'P' && refs.size > 0) {
          const reason = (await this.store.ledger.meta(campaignId))?.pausedReason;
          if (reason) reasons.set(`evt_${campaignId}_${e.sid}`, reason);
        }
      }
      await this.store.outboxPump.handOver(campaignId, entries.at(-1)!.sid, refs, reasons, now);
      for (const ep of refs.keys()) this.loops.get(ep)?.wake();
    }
    if (entries.length < ENTRIES_PER_READ) await this.store.outboxPump.settle(source);
    return entries.length;
  }

  /** @internal for EndpointLoop */
  get ctx() {
    return { store: this.store, log: this.log, policy: this.policy, opts: this.opts };
  }

  /** @internal for EndpointLoop */
  get isRunning() {
    return this.running;
  }
}

/** One endpoint's sending: up to `concurrency` deliveries in flight, a keep-alive pool of its own. */
class EndpointLoop {
  private inFlight = 0;
  private readonly wakeUp: { fn?: () => void } = {};
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private readonly agent: Agent;
  private readonly running = new Set<Promise<void>>();
  private prunedAt = 0;

  constructor(
    private readonly d: EventDispatcher,
    private ep: EventEndpoint,
  ) {
    this.agent = endpointAgent({ allowPrivateUrls: d.ctx.opts.allowPrivateUrls, resolve: d.ctx.opts.resolve });
  }

  start(): this {
    this.done = this.loop();
    return this;
  }

  update(ep: EventEndpoint): void {
    const wasOff = this.ep.disabledAt !== null;
    this.ep = ep;
    if (wasOff && ep.disabledAt === null) this.wake();
  }

  wake(): void {
    this.wakeUp.fn?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.done;
    await Promise.all(this.running);
    await this.agent.destroy().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const { store, log, policy } = this.d.ctx;
    while (!this.stopped && this.d.isRunning) {
      let claimed = 0;
      const free = policy.concurrency - this.inFlight;
      if (this.ep.disabledAt === null && free > 0) {
        try {
          const now = Date.now();
          if (now - this.prunedAt > 60_000) {
            this.prunedAt = now;
            await store.eventDeliveries.prune(this.ep.id, now);
          }
          const due = await store.eventDeliveries.claim(this.ep.id, free, policy.leaseMs, now);
          claimed = due.length;
          for (const { ref, attempts } of due) {
            this.inFlight += 1;
            const p = this.deliver(ref, attempts)
              .catch((err: unknown) =>
                log.warn({ err: (err as Error).message, endpoint: this.ep.id }, 'event delivery'),
              )
              .finally(() => {
                this.inFlight -= 1;
                this.running.delete(p);
                this.wake();
              });
            this.running.add(p);
          }
        } catch (err) {
          log.warn({ err: (err as Error).message, endpoint: this.ep.id }, 'event queue: redis trouble (retrying)');
        }
      }
      if (this.stopped) break;
      if (claimed === 0 || this.inFlight >= policy.concurrency) await sleep(policy.pollMs, this.wakeUp);
    }
  }

  private async deliver(ref: string, attempts: number): Promise<void> {
    const { store, policy, opts } = this.d.ctx;
    const deliveries = store.eventDeliveries;
    const ep = this.ep.id;
    const r = parseEventRef(ref);
    const body = r ? ((await deliveries.keptBody(ep, ref)) ?? (await deliveries.body(r))) : undefined;
    if (!r || !body) {
      // Its campaign expired (retention) before it could be sent: nothing can be rebuilt.
      await deliveries.failed(ep, ref, attempts, undefined, { status: null, error: 'expired' });
      return;
    }
    const secrets = await store.eventEndpoints.signingSecrets(ep);
    if (secrets.length === 0) return; // removed meanwhile: its queue goes with it
    const result = await attemptDelivery(this.ep.url, secrets, body.id, JSON.stringify(body), {
      allowPrivateUrls: opts.allowPrivateUrls,
      resolve: opts.resolve,
      timeoutMs: policy.timeoutMs,
      agent: this.agent,
    });
    const made = attempts + 1;
    const now = Date.now();
    if (result.ok) {
      await deliveries.succeeded(ep, ref, made, result.status!, body.type, now);
      this.d.observeLag(now - Number(r.sid.split('-')[0]));
      return;
    }
    if (result.status === 410) {
      await deliveries.disable(ep, ref, attempts, now);
      this.ep = { ...this.ep, disabledAt: now };
      this.d.ctx.log.warn({ endpoint: ep }, 'event endpoint answered 410 Gone: disabled (replay re-enables it)');
      return;
    }
    const note = { status: result.status, error: result.error };
    const next = afterFailure(made, result, policy);
    if (next.retry) await deliveries.retryLater(ep, ref, made, now + next.delayMs, note, now);
    else await deliveries.failed(ep, ref, made, body, note, now);
  }
}
