/**
 * Every retry, backoff, attempt, breaker, lock and timeout number of the send path, in one place (the way
 * undici keeps its `retryOpts`). The error-code table (which upstream answer means what) is in
 * `@sobot/sobot-client` policy.ts; the numbers it uses are here.
 */
export const SEND_POLICY = {
  /** One round of one message: p-retry over upstream trouble (5xx, timeouts, resets). */
  round: {
    /** Requests after the first within a round (3 requests in all). */
    retries: 2,
    minTimeoutMs: 200,
    maxTimeoutMs: 2_000,
    factor: 2,
  },
  /** Between rounds (a delayed chunk job): 2 s, 4 s, 8 s … capped, with ± jitter. */
  roundBackoff: { firstMs: 2_000, maxMs: 60_000, jitter: 0.25 },
  /** Rounds per message before it is a failure (MAX_ATTEMPTS default). */
  maxAttempts: 5,
  /** A request with no answer after this long is cut and retried (SOBOT_TIMEOUT_MS default). */
  requestTimeoutMs: 15_000,
  /** Connecting never takes longer than this, whatever the request timeout. */
  connectTimeoutMaxMs: 10_000,
  /** Wait for everyone when a 429 carries no usable Retry-After. */
  defaultRetryAfterMs: 1_000,
  /** Per-recipient waits (Meta 131056, pair rate limit). */
  deferMs: { pairRateLimit: 60_000 },
  /** A system pause lets one probe message through this often. */
  probeEveryMs: { auth: 30_000, spam: 300_000, outage: 5_000 },
  /** Outage breaker: this share of a worker's last `window` requests failing upstream pauses sending. */
  outageBreaker: { window: 50, threshold: 0.6 },
  /**
   * Campaign breaker (SPEC §13): one upstream code failing `share` of a campaign's first `firstRequests` requests,
   * or of any `window` consecutive ones, pauses that campaign (a broken image pauses it instead of failing the list).
   */
  campaignBreaker: { firstRequests: 50, window: 200, share: 0.5 },
  /**
   * Chunk locks. A live worker renews its chunk's lock every lockDuration / 2; a worker killed with -9 stops
   * renewing, its lock lapses and the next stall check hands the chunk to another worker. A stalled chunk
   * never fails for stalling (the ledger makes re-running it safe), hence the high maxStalledCount.
   */
  lock: { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 1_000 },
  /** A chunk's own lease (one job sends a chunk at a time) lapses this long after its renewals stop. */
  chunkLeaseMs: 12_000,
  /** A parked chunk (paused campaign) looks again after this long even if nobody wakes it. */
  parkMs: 30_000,
  /** How often a running chunk looks for pause and cancel. */
  controlPollMs: 100,
  /** How stale a worker's view of a campaign's status may be. */
  statusRefreshMs: 200,
  /**
   * Chunk jobs never fail for a message's sake (outcomes live in the ledger); their attempts cover crashes and
   * Redis errors, with an exponential wait between them.
   */
  chunkJob: { attempts: 50, backoffBaseMs: 1_000, backoffMaxMs: 30_000, keepFailedSeconds: 7 * 86_400 },
  /**
   * Fair share (SPEC §10): each bulk campaign keeps chunksPerWeight × weight chunk jobs in the queue (enough to
   * keep every worker busy with one campaign alone), and each worker runs at least `chunksPerWorker` chunks at
   * once so that every running campaign has a chunk there to share its permits with (48: twelve campaigns of
   * weight 1 with all their chunks running on one worker; at 16, a fifth campaign's chunks queued behind the
   * others' and it got 0.85 of its share). Every syncEveryMs each
   * worker reports what its permits gave each campaign and reads the totals of every worker and the floor (the
   * least of the campaigns with sends waiting within activeMs). A worker holds back a campaign more than leadMs
   * of the rate ahead of the floor (its chunks may all sit in that worker), unless the floor has not moved for
   * floorStuckMs. A campaign idle longer than idleMs starts again from the floor; one unreported for forgetMs
   * is dropped.
   */
  fairShare: {
    chunksPerWeight: 4,
    maxChunksInFlight: 100,
    chunksPerWorker: 48,
    syncEveryMs: 100,
    activeMs: 300,
    leadMs: 100,
    floorStuckMs: 500,
    idleMs: 1_000,
    forgetMs: 600_000,
  },
  /** Transactional chunks each worker runs at once, on their own queue. */
  transactionalChunksPerWorker: 4,
  /** Redis out of memory: an outcome write is retried after this wait, doubling up to maxMs, until it lands. */
  storeFullRetry: { firstMs: 100, maxMs: 2_000 },
  /** Repeated trouble (Redis full, BullMQ errors) is logged at most once per this. */
  troubleLogEveryMs: 1_000,
  /** SIGTERM: in-flight sends are recorded and the process exits within this. */
  shutdownDeadlineMs: 30_000,
} as const;

/** The wait before round `round + 1` of a message: 2 s, 4 s, 8 s, … capped, ± jitter. */
export function roundBackoffMs(round: number, random = Math.random): number {
  const { firstMs, maxMs, jitter } = SEND_POLICY.roundBackoff;
  const base = firstMs * 2 ** Math.max(0, round - 1);
  return Math.min(maxMs, Math.round(base * (1 - jitter + random() * 2 * jitter)));
}

/** The wait before a chunk job's next attempt after an error (a crash, Redis away). */
export function chunkJobBackoffMs(attemptsMade: number): number {
  const { backoffBaseMs, backoffMaxMs } = SEND_POLICY.chunkJob;
  return Math.min(backoffMaxMs, backoffBaseMs * 2 ** attemptsMade);
}
