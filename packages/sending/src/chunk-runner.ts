import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { DelayedError, type Job } from 'bullmq';
import { SEND_POLICY, roundBackoffMs } from '@sobot/schema';
import {
  AUDIENCE,
  WINDOW_MS,
  type Assignment,
  Circulation,
  isTerminal,
  type ChunkJobData,
  type Ledger,
  type LoadedChunk,
  type Outcome,
} from '@sobot/store';
import type { CampaignWatch } from './campaign-watch';
import { deliverRound, SENDER_PAUSED, type DeliverDeps } from './deliver';
import { OutcomeFlusher } from './outcome-flusher';
import type { Permits } from './permits';
import { QuietGate } from './quiet-gate';
import { StoppedError, type StopReason } from './stopped';

export interface RunnerDeps extends DeliverDeps {
  ledger: Ledger;
  watch: CampaignWatch;
  permits: Permits;
  /** Redis refused an outcome write for lack of memory (it is retried). */
  onStoreFull: (err: unknown) => void;
  /** FREQUENCY_CAP_HOURS: a number that got a bulk message within this many hours is skipped; 0: off. */
  frequencyCapHours: number;
  /** The time quiet hours are judged by (default Date.now; tests move it instead of waiting for a span's end). */
  clock?: () => number;
}

/**
 * Sends one chunk: every recipient without a terminal outcome gets one round; outcomes are recorded
 * once each. The chunk job then completes, waits for its next round (delayed, not failed), parks
 * while its campaign is paused, or goes back to the queue when the worker shuts down.
 */
export class ChunkRunner {
  constructor(
    private readonly d: RunnerDeps,
    private readonly shutdown: AbortSignal,
  ) {}

  async run(job: Job<ChunkJobData>, token: string | undefined): Promise<string> {
    const { campaignId, chunk } = job.data;
    // Whether anything is suppressed rides in the same round trip as the chunk (auto-pipelined): with nothing
    // suppressed, no window rule and no frequency cap, a chunk costs no lookup at all.
    const [loaded, suppressed] = await Promise.all([
      this.d.ledger.loadChunk(campaignId, chunk),
      this.d.audience.suppressedCount(),
    ]);
    if (!loaded) return 'campaign gone';
    this.d.watch.set(campaignId, loaded.meta.status);
    if (loaded.meta.status === 'cancelled') return 'cancelled';
    if (loaded.meta.status === 'paused') return this.park(job, token);
    if (this.shutdown.aborted) return this.handBack(job, token);
    // A scheduled campaign's chunk woken early (a resume promotes parked jobs) waits for its time.
    if (loaded.meta.sendAt > Date.now()) {
      await job.moveToDelayed(loaded.meta.sendAt, token);
      throw new DelayedError();
    }

    const lease = `${job.id}:${randomUUID()}`;
    if (!(await this.d.ledger.lease(campaignId, chunk, lease, SEND_POLICY.chunkLeaseMs))) {
      // Another job is sending this chunk (e.g. retry-failed while a round was running): wait for it.
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError();
    }
    // A cancel marks the campaign, then waits until no lease of it is held before it counts (CampaignControl.cancel):
    // read after taking the lease, the status cannot miss a cancel that counted without seeing this lease.
    const fresh = await this.d.watch.refresh(campaignId);
    if (fresh === 'cancelled' || fresh === 'paused' || fresh === undefined) {
      await this.d.ledger.releaseLease(campaignId, chunk, lease).catch(() => undefined);
      if (fresh === 'cancelled') return 'cancelled';
      if (fresh === 'paused') return this.park(job, token);
      // The status could not be read (Redis trouble): not sending without it; the chunk comes back shortly.
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError();
    }
    const renew = setInterval(
      () => void this.d.ledger.lease(campaignId, chunk, lease, SEND_POLICY.chunkLeaseMs).catch(() => undefined),
      SEND_POLICY.chunkLeaseMs / 3,
    );
    let result: Awaited<ReturnType<ChunkRunner['sendAll']>>;
    try {
      result = await this.sendAll(campaignId, chunk, loaded, suppressed > 0);
    } finally {
      clearInterval(renew);
      await this.d.ledger.releaseLease(campaignId, chunk, lease).catch(() => undefined);
    }
    const { stopped, nextRoundMs, completed, canaryPassed, waitingUntil, noSender } = result;
    if (noSender) {
      if (await this.d.pool!.pauseCampaign(campaignId))
        this.d.log.error({ campaignId }, 'campaign paused: none of its senders is active (NO_ACTIVE_SENDER)');
      this.d.watch.set(campaignId, 'paused');
      return this.park(job, token);
    }
    const { meta } = loaded;
    if (canaryPassed) {
      this.d.log.info({ campaignId }, 'canary passed: sending the rest of the campaign');
      await this.d.ledger.release(campaignId, Circulation.afterCanary(meta.lane, meta.weight));
    }
    if (completed) await this.d.ledger.finish(campaignId);
    if (stopped === 'cancelled') return 'cancelled';
    if (stopped === 'paused') return this.park(job, token);
    if (stopped === 'shutdown') return this.handBack(job, token);
    // This chunk is done, or waits for its next round: the campaign's next chunk takes its turn in the queue.
    if (meta.lane === 'bulk') await this.d.ledger.release(campaignId, 1);
    // Retries keep their backoff; recipients held by quiet hours come back when the first of them may go.
    const clock = this.d.clock ?? Date.now;
    const wakeAt =
      nextRoundMs !== undefined
        ? Date.now() + nextRoundMs
        : waitingUntil !== undefined
          ? Date.now() + (waitingUntil - clock())
          : undefined;
    if (wakeAt !== undefined) {
      await job.moveToDelayed(wakeAt, token);
      throw new DelayedError();
    }
    return 'done';
  }

  private async sendAll(
    campaignId: string,
    chunk: number,
    { meta, recipients, outcomes }: LoadedChunk,
    anySuppressed: boolean,
  ) {
    const stop = new AbortController();
    // Every message waiting for a permit or a slot listens for the stop.
    setMaxListeners(10_000, stop.signal);
    const onShutdown = () => stop.abort('shutdown');
    this.shutdown.addEventListener('abort', onShutdown, { once: true });
    const flusher = new OutcomeFlusher(
      this.d.ledger,
      campaignId,
      chunk,
      meta.chunkSize,
      meta.source,
      this.d.onStoreFull,
    );
    const poll = setInterval(() => {
      // This chunk's own write tripped the campaign breaker: this worker's other chunks of it stop as well.
      if (flusher.breakerTripped) this.d.watch.set(campaignId, 'paused');
      const s = this.d.watch.status(campaignId);
      if (s === 'paused' || s === 'cancelled') stop.abort(s);
    }, SEND_POLICY.controlPollMs);
    const priority = meta.lane === 'transactional';
    const taker = { group: campaignId, weight: meta.weight, priority };
    const log = this.d.log.child({ campaignId, chunk });
    let nextRoundMs: number | undefined;
    const tasks: Promise<void>[] = [];
    // Quiet hours: a recipient inside them is not requested; it stays pending and the chunk comes back for it.
    const quiet = meta.quietHours ? new QuietGate(meta.quietHours, this.d.clock) : undefined;
    // Bulk messages sent, for the frequency cap's marks (written when the chunk's sends end).
    const capHours = meta.lane === 'bulk' ? this.d.frequencyCapHours : 0;
    const sentNumbers: string[] = [];
    /** Recipients held by the messaging limit or the pair rate (SPEC §15), and when the first may go. */
    const held = { count: 0, until: Number.POSITIVE_INFINITY, reason: '' };
    let noSender = false;
    try {
      const screening = anySuppressed || meta.window === 'skip' || capHours > 0;
      const skips = screening ? await this.screen(meta, recipients, outcomes, capHours) : new Map<number, Outcome>();
      for (const [i, o] of skips) {
        const task = flusher.add(i, o);
        task.catch(() => undefined);
        tasks.push(task);
      }
      const plan = await this.assign(meta, recipients, outcomes, skips, quiet);
      for (const a of plan?.values() ?? []) {
        if (a.status === 'none') noSender = true;
        else if (a.status !== 'go') {
          held.count += 1;
          held.until = Math.min(held.until, a.until);
          if (a.status === 'limit' || !held.reason)
            held.reason = a.status === 'limit' ? 'MESSAGING_LIMIT' : 'PAIR_RATE';
        }
      }
      for (let i = 0; i < recipients.length; i += 1) {
        if (noSender) break;
        if (isTerminal(outcomes.get(i)) || skips.has(i)) continue;
        const assigned = plan?.get(i);
        if (assigned && assigned.status !== 'go') continue;
        if (quiet?.hold(recipients[i]!)) continue;
        try {
          await this.d.permits.acquire(stop.signal, taker);
        } catch {
          break;
        }
        // Waiting for the permit may have taken it into its quiet hours.
        if (quiet?.hold(recipients[i]!)) {
          this.d.permits.release();
          continue;
        }
        const lane = assigned ? this.d.pool!.lanes.get(assigned.sender) : undefined;
        const task = deliverRound(this.d, recipients[i]!, outcomes.get(i), stop.signal, priority, lane)
          .then((o) => {
            if (o.kind === 'r' && o.code === SENDER_PAUSED) nextRoundMs = Math.max(nextRoundMs ?? 0, 1);
            if (o.kind === 'k') this.d.metrics.skipped(o.code);
            // First rounds only: a retry's wait is its backoff, not the lane's lag.
            if (o.kind === 's' && priority && o.rounds === 1)
              this.d.metrics.transactionalLag(o.at - Math.max(meta.createdAt, meta.sendAt));
            else if (o.kind === 'r')
              nextRoundMs = Math.max(nextRoundMs ?? 0, roundBackoffMs(o.rounds), o.notBeforeMs ?? 0);
            if (o.kind === 's' && capHours > 0) sentNumbers.push(recipients[i]!.customer_number);
            return flusher.add(i, o);
          })
          .catch((err: unknown) => {
            if (!(err instanceof StoppedError)) throw err;
          })
          .finally(() => this.d.permits.release());
        // Its failure is read below (allSettled); until then it must not count as an unhandled rejection.
        task.catch(() => undefined);
        tasks.push(task);
      }
      const results = await Promise.allSettled(tasks);
      await flusher.close();
      if (sentNumbers.length > 0) {
        await this.d.audience
          .markSent(sentNumbers, capHours)
          .catch((err: unknown) => log.warn({ err: String(err) }, 'frequency-cap marks not written'));
      }
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      // A stopped run saw only part of the chunk: the tally of the last full run stands.
      if ((quiet || plan) && !stop.signal.aborted) {
        const count = (quiet?.waiting ?? 0) + held.count;
        const until = Math.min(quiet?.earliest ?? Number.POSITIVE_INFINITY, held.until);
        await this.d.ledger.setWaiting(campaignId, chunk, count, until, held.reason);
      }
    } finally {
      clearInterval(poll);
      this.shutdown.removeEventListener('abort', onShutdown);
    }
    const stopped = stop.signal.aborted ? (stop.signal.reason as StopReason) : undefined;
    if (stopped) log.info({ reason: stopped }, 'chunk stopped early');
    if (flusher.breakerTripped) log.warn('campaign breaker tripped: one upstream code failed half the requests');
    const quietUntil = quiet && quiet.waiting > 0 ? quiet.earliest : Number.POSITIVE_INFINITY;
    const first = Math.min(quietUntil, held.until);
    const waitingUntil = Number.isFinite(first) ? first : undefined;
    if (quiet?.waiting)
      log.debug({ waiting: quiet.waiting, until: waitingUntil }, 'recipients wait for quiet hours to end');
    return {
      stopped,
      nextRoundMs,
      completed: flusher.completed,
      canaryPassed: flusher.canaryPassed,
      waitingUntil,
      noSender,
    };
  }

  /**
   * The sender of each recipient to request now, and whether the messaging limit or the pair rate holds it
   * (SPEC §15): one script call per chunk (plus one audience lookup when a messaging limit applies, for the numbers
   * inside their 24-hour window). Undefined without senders to choose or limits to keep.
   */
  private async assign(
    meta: LoadedChunk['meta'],
    recipients: LoadedChunk['recipients'],
    outcomes: LoadedChunk['outcomes'],
    skips: Map<number, Outcome>,
    quiet: QuietGate | undefined,
  ): Promise<Map<number, Assignment> | undefined> {
    const pool = this.d.pool;
    if (!pool?.active) return undefined;
    const open: number[] = [];
    for (let i = 0; i < recipients.length; i += 1) {
      if (isTerminal(outcomes.get(i)) || skips.has(i)) continue;
      if (quiet && quiet.until(recipients[i]!) !== undefined) continue;
      open.push(i);
    }
    const plan = new Map<number, Assignment>();
    if (open.length === 0) return plan;
    const numbers = open.map((i) => recipients[i]!.customer_number);
    // In-window numbers are exempt from the messaging limit; with no inbound message in the last 24 h none is.
    const windows = pool.limited(meta.senders) && (await this.anyInbound());
    const flags = windows ? await this.d.audience.lookup(numbers, { window: true }) : undefined;
    const assigned = await pool.assign(
      meta.senders,
      open.map((i, k) => ({
        number: numbers[k]!,
        inWindow: flags ? (flags[k]! & AUDIENCE.inWindow) !== 0 : false,
        retry: (outcomes.get(i)?.attempts ?? 0) > 0,
      })),
    );
    open.forEach((i, k) => plan.set(i, assigned[k]!));
    return plan;
  }

  /**
   * The recipients of the chunk not to request (SPEC §12), with their skipped outcomes: suppressed since the upload
   * (SUPPRESSED), outside their 24-hour window with `window=skip` (OUTSIDE_WINDOW), or sent a bulk message within
   * FREQUENCY_CAP_HOURS (FREQUENCY_CAP). One lookup (a script call per number group, sent together) per chunk,
   * made only when something may apply (a number is suppressed, `window=skip`, or a frequency cap).
   */
  private async screen(
    meta: LoadedChunk['meta'],
    recipients: LoadedChunk['recipients'],
    outcomes: LoadedChunk['outcomes'],
    capHours: number,
  ): Promise<Map<number, Outcome>> {
    const skips = new Map<number, Outcome>();
    const open: number[] = [];
    for (let i = 0; i < recipients.length; i += 1) if (!isTerminal(outcomes.get(i))) open.push(i);
    if (open.length === 0) return skips;
    const flags = await this.d.audience.lookup(
      open.map((i) => recipients[i]!.customer_number),
      { window: meta.window === 'skip', capHours },
    );
    const now = Date.now();
    open.forEach((i, k) => {
      const f = flags[k]!;
      const reason =
        f & AUDIENCE.suppressed
          ? SKIPS.suppressed
          : meta.window === 'skip' && !(f & AUDIENCE.inWindow)
            ? SKIPS.outsideWindow
            : f & AUDIENCE.capped
              ? { code: SKIPS.frequencyCap.code, message: SKIPS.frequencyCap.message(capHours) }
              : undefined;
      if (!reason) return;
      const prev = outcomes.get(i);
      skips.set(i, {
        kind: 'k',
        attempts: prev?.attempts ?? 0,
        rounds: prev?.rounds ?? 0,
        at: now,
        wamid: '',
        code: reason.code,
        message: reason.message,
      });
      this.d.metrics.skipped(reason.code);
    });
    return skips;
  }

  /** Whether an inbound message arrived in the last 24 hours (else no number is inside its window). */
  private async anyInbound(): Promise<boolean> {
    const last = await this.d.audience.lastInboundAt();
    return last !== null && Date.now() - last < WINDOW_MS;
  }

  /** Paused campaign: put the job aside until resume wakes it (or SEND_POLICY.parkMs passes). */
  private async park(job: Job<ChunkJobData>, token: string | undefined): Promise<never> {
    const { campaignId } = job.data;
    await this.d.ledger.park(campaignId, job.id!);
    await job.moveToDelayed(Date.now() + SEND_POLICY.parkMs, token);
    // A resume that landed between our status check and the park above must not wait parkMs.
    if ((await this.d.watch.refresh(campaignId)) !== 'paused') await job.promote().catch(() => undefined);
    throw new DelayedError();
  }

  /** Shutting down: in-flight sends are recorded; the rest of the chunk goes straight back to the queue. */
  private async handBack(job: Job<ChunkJobData>, token: string | undefined): Promise<never> {
    await job.moveToDelayed(Date.now(), token);
    throw new DelayedError();
  }
}

/** Why a recipient was not requested (SPEC §12): its `error_code` and `error_message`. */
export const SKIPS = {
  suppressed: { code: 'SUPPRESSED', message: 'the number is on the suppression list' },
  outsideWindow: {
    code: 'OUTSIDE_WINDOW',
    message: 'outside its 24-hour window: no inbound message from this number in the last 24 hours (window=skip)',
  },
  frequencyCap: {
    code: 'FREQUENCY_CAP',
    message: (hours: number) => `got a bulk message within the last ${hours} hours (FREQUENCY_CAP_HOURS)`,
  },
} as const;
