import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyPair } from '@sobot/sobot-client';
import type { Assignment, SendRate, SenderInfo, Senders } from '@sobot/store';
import { SendGate } from './send-gate';

/**
 * The sender numbers (SPEC §15), as policy values a test may shrink: how long a number sticks to its sender, the
 * messaging limit's rolling window, how long 131048 halves a sender's rate, the pair rate's margin, 131056's backoff.
 */
export const SENDER_POLICY = {
  stickyMs: 30 * 86_400_000,
  windowMs: 24 * 3_600_000,
  slowMs: 10 * 60_000,
  /** A request leaves a little after its chunk was assigned (the gate's wait): stamped this much later. */
  pairMarginMs: 250,
  /** 131056: retried after 4^n s (n = 1, 2, …), at most this many times, without spending an attempt. */
  pairDefer: { baseS: 4, maxTimes: 6 },
  /** How often a worker reads the senders' state (pauses, slow-downs) and reports its in-flight counts. */
  refreshMs: 1_000,
};

export type SenderPolicy = typeof SENDER_POLICY;

/** One sender as a worker holds it: its key pair, its rate (own GCRA) and gate, its in-flight count. */
export interface SenderLane {
  readonly info: SenderInfo;
  readonly credentials: KeyPair;
  readonly rate: SendRate;
  /** Undefined when the sender's rate cannot bind (at or above the global SEND_RATE): no second wait. */
  readonly gate: SendGate | undefined;
  inFlight: number;
  /** Aborted when the sender is paused: its waiting messages move to another sender. */
  paused: AbortController;
  slowed: boolean;
}

export interface SenderSetup {
  info: SenderInfo;
  credentials: KeyPair;
}

/** Every sender of this worker, their state as the store says, and the choice of sender per recipient. */
export class SenderPool {
  readonly lanes = new Map<string, SenderLane>();
  private readonly order: SenderLane[];
  private timer: NodeJS.Timeout | undefined;
  private readonly worker = randomUUID().slice(0, 8);

  constructor(
    private readonly store: Senders,
    setups: SenderSetup[],
    readonly limits: Record<string, number | null>,
    globalRate: number,
    /** True for SOBOT_API_KEY alone: one sender `default`, system-wide reactions as before (SPEC §7). */
    readonly single: boolean,
    readonly pairIntervalMs: number,
    private readonly log: Logger,
    readonly policy: SenderPolicy = SENDER_POLICY,
  ) {
    for (const s of setups) {
      const rate = store.rate(s.info.id, s.info.rate);
      // One sender at the global rate (SOBOT_API_KEY alone): its rate cannot bind, and nothing changes (SPEC §7).
      const own = !single || s.info.rate < globalRate;
      const gate = own ? new SendGate(rate, log.child({ sender: s.info.id })) : undefined;
      const paused = new AbortController();
      const lane = { info: s.info, credentials: s.credentials, rate, gate, inFlight: 0, paused, slowed: false };
      this.lanes.set(s.info.id, lane);
    }
    this.order = [...this.lanes.values()];
  }

  /** Whether recipients need the assign step at all: several senders, a messaging limit, or the pair rate. */
  get active(): boolean {
    return (
      !this.single ||
      this.pairIntervalMs > 0 ||
      this.order.some((l) => (this.limits[l.info.portfolio] ?? null) !== null)
    );
  }

  /** Whether any allowed sender's portfolio has a messaging limit (in-window numbers must then be known). */
  limited(allowed: string[]): boolean {
    return this.allowed(allowed).some((l) => (this.limits[l.info.portfolio] ?? null) !== null);
  }

  /** The lanes a campaign may use: the ones it names (unknown names are ignored), or every one. */
  allowed(names: string[]): SenderLane[] {
    if (names.length === 0) return this.order;
    return this.order.filter((l) => names.includes(l.info.id));
  }

  async start(): Promise<void> {
    await this.store.register(
      this.order.map((l) => l.info),
      this.limits,
    );
    await this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.policy.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads pauses and slow-downs; reports this worker's in-flight counts. */
  async refresh(): Promise<void> {
    const states = await this.store.states();
    const now = Date.now();
    for (const lane of this.order) {
      const st = states.get(lane.info.id);
      if (st?.paused) this.markPaused(lane);
      else if (lane.paused.signal.aborted) lane.paused = new AbortController();
      const slow = (st?.slowUntil ?? 0) > now;
      if (slow !== lane.slowed) {
        lane.slowed = slow;
        lane.rate.setRate(slow ? lane.info.rate / 2 : lane.info.rate);
      }
    }
    await this.store.reportInFlight(this.worker, new Map(this.order.map((l) => [l.info.id, l.inFlight])));
  }

  private markPaused(lane: SenderLane): void {
    if (!lane.paused.signal.aborted) lane.paused.abort('sender paused');
  }

  /** Chooses each recipient's sender among `allowed` and admits it (messaging limit, pair rate), in one step. */
  assign(
    allowed: string[],
    recipients: Array<{ number: string; inWindow: boolean; retry: boolean }>,
  ): Promise<Assignment[]> {
    const lanes = this.allowed(allowed);
    return this.store.assign({
      senders: lanes.map((l) => l.info),
      limits: this.limits,
      recipients,
      // One sender: nothing to stick to.
      stickyMs: this.order.length > 1 ? this.policy.stickyMs : 0,
      pairIntervalMs: this.pairIntervalMs,
      windowMs: this.policy.windowMs,
      pairMarginMs: this.policy.pairMarginMs,
    });
  }

  /** Pauses a sender everywhere (401/403, 368, 131031, 131042): its waiting messages move on. */
  async pause(lane: SenderLane, code: string, reason: string): Promise<void> {
    this.markPaused(lane);
    if (await this.store.pause(lane.info.id, code, reason))
      this.log.error({ sender: lane.info.id, code }, 'sender paused: its pending work moves to the other senders');
  }

  /** Pauses a campaign none of whose allowed senders is active. */
  pauseCampaign(campaignId: string): Promise<boolean> {
    return this.store.pauseCampaign(
      campaignId,
      'NO_ACTIVE_SENDER: every sender this campaign may use is paused; resume a sender (POST /v1/senders/:id/resume)',
    );
  }

  /** Halves a sender's rate for SENDER_POLICY.slowMs (131048). */
  async slow(lane: SenderLane): Promise<void> {
    if (!lane.slowed) {
      lane.slowed = true;
      lane.rate.setRate(lane.info.rate / 2);
    }
    await this.store.slow(lane.info.id, Date.now() + this.policy.slowMs);
    this.log.warn({ sender: lane.info.id }, 'spam rate limit (131048): sender slowed by half');
  }
}
