/**
 * Every Redis key this product uses, built in one place.
 *
 * Keys of one campaign share the hash tag `{c:<id>}` so multi-key scripts stay on one Redis Cluster
 * slot. BullMQ's prefix is itself a hash tag, so each queue lives on one slot.
 */
export class Keys {
  constructor(readonly prefix: string) {}

  /** BullMQ `prefix` option: `{sobot}` puts every queue key on one cluster slot. */
  get bullPrefix(): string {
    return `{${this.prefix}}`;
  }

  /** Sorted set: uploaded campaign id scored by creation time (ms). */
  get campaignIndex(): string {
    return `${this.prefix}:campaigns`;
  }

  /** Sorted set: the campaign id of each `POST /v1/messages` call, scored by creation time (ms). */
  get messageIndex(): string {
    return `${this.prefix}:messages`;
  }

  /** Hash (one per UTC hour, unix hour): accepted, sent, failed, skipped messages of API calls. */
  messageSummary(hour: number): string {
    return `${this.prefix}:msum:${hour}`;
  }

  private campaign(id: string, suffix: string): string {
    return `${this.prefix}:{c:${id}}:${suffix}`;
  }

  /** Hash: name, source, status, defaults, row counts, timestamps, chunk layout. */
  meta(id: string): string {
    return this.campaign(id, 'meta');
  }

  /**
   * Hash: message index → the `metadata` JSON given with that message (`POST /v1/messages`, ≤ 1 KiB each); only
   * messages that had some. Written with the campaign's commit; read by the message view, never by the send path.
   */
  metadata(id: string): string {
    return this.campaign(id, 'md');
  }

  /** Hash: sent, failed, skipped, delivered, read, dfailed (delivery failed). */
  counts(id: string): string {
    return this.campaign(id, 'n');
  }

  /**
   * Hash: `<code>` → failures with that code, `m:<code>` → the last message seen for it; skips as `k:<code>`
   * and `m:k:<code>`.
   */
  failures(id: string): string {
    return this.campaign(id, 'f');
  }

  /**
   * Hash: the campaign breaker's window (record-outcomes-6.lua): `f` failed requests counted, `p:<code>` the
   * positions of the last requests that code failed, `resumed` once a trip spent the first-50 rule.
   */
  breaker(id: string): string {
    return this.campaign(id, 'b');
  }

  /** Hash: unix second → terminal outcomes recorded in it (for the current rate). */
  perSecond(id: string): string {
    return this.campaign(id, 's');
  }

  /** String: the recipients of chunk `n`, JSON (see recipient-codec). */
  chunk(id: string, n: number): string {
    return this.campaign(id, `k:${n}`);
  }

  /** Hash: index within chunk `n` → outcome (see outcome-codec). */
  outcomes(id: string, n: number): string {
    return this.campaign(id, `o:${n}`);
  }

  /** Hash: index within chunk `n` → delivery status from the webhook. */
  deliveries(id: string, n: number): string {
    return this.campaign(id, `d:${n}`);
  }

  /**
   * List: rejected rows of the upload, one JSON `{row, line, field, message, cells?}` each, after a first
   * `{header}` when the file had one (CSV, .xlsx).
   */
  rejectedRows(id: string): string {
    return this.campaign(id, 'rej');
  }

  /** String: token of the job sending chunk `n` now (at most one job sends a chunk at a time). */
  lease(id: string, n: number): string {
    return this.campaign(id, `l:${n}`);
  }

  /** Hash: chunk → `<recipients>:<ms>`, recipients of the chunk held by quiet hours and when the first may go. */
  waiting(id: string): string {
    return this.campaign(id, 'w');
  }

  /** Set: ids of this campaign's chunk jobs parked while it is paused. */
  parked(id: string): string {
    return this.campaign(id, 'parked');
  }

  /** Hash: the campaign an idempotency key is for (`state` claimed|done, `id`, `fingerprint`, `until`, `answer`). */
  idempotency(keyHash: string): string {
    return `${this.prefix}:idem:${keyHash}`;
  }

  /**
   * Hash: the campaign an upload's content hash (recipients and message) belongs to, for 409 DUPLICATE_UPLOAD
   * (`id`, `name`, `created_at` ms, `state` claimed|done); lives 24 h after its campaign was created.
   */
  uploadPrint(contentHash: string): string {
    return `${this.prefix}:uprint:${contentHash}`;
  }

  /** Hash: `v:<campaign>` → virtual time (sends ÷ weight, all workers), `t:<campaign>` → last report (fair share). */
  get fairShare(): string {
    return `${this.prefix}:{fair}`;
  }

  /** Hash (one of 16 buckets per day sent, unix day): wamid → message id, for the delivery webhook. */
  wamidIndex(day: number, bucket: number): string {
    return `${this.prefix}:{w:${bucket}}:${day}`;
  }

  /** Hash: the global send-rate state (GCRA `tat`) and the system pause (`reason`, `code`, `probe`). */
  get sendRate(): string {
    return `${this.prefix}:{rate}`;
  }

  /** Hash: upload in progress (campaign id) → `<lease expiry ms>:<chunks written>`, for the dead-upload sweep. */
  get uploads(): string {
    return `${this.prefix}:uploads`;
  }

  /** String: written by the readiness check to learn whether Redis takes writes. */
  get probe(): string {
    return `${this.prefix}:probe`;
  }

  /**
   * Hash: one bucket of who-may-be-messaged data (audience.ts). `kind`: `s` suppressed numbers (no day), `w`
   * inbound (24-hour window), `f` bulk sends (frequency cap), `m` 131049 answers; the time-bound kinds have
   * one set of buckets per UTC day (unix day). `group` (0–9) is the hash tag: one script call reads a group.
   */
  audience(kind: 's' | 'w' | 'f' | 'm', group: number, bucket: number, day?: number): string {
    return `${this.audienceGroup(group)}${kind}${day ?? ''}:${String(bucket).padStart(4, '0')}`;
  }

  /**
   * What every audience key of a group begins with. The audience scripts build bucket keys from it exactly as
   * `audience` does (`<group prefix><kind><day?>:<bucket>`): they take numbers packed, not keys.
   */
  audienceGroup(group: number): string {
    return `${this.prefix}:{a:${group}}:`;
  }

  /** String (bitmap): bit `b` is 1 while suppression bucket `b` of this group holds a number (for listings). */
  suppressedBuckets(group: number): string {
    return `${this.prefix}:{a:${group}}:sb`;
  }

  /**
   * String (bitmap of 2^22 bits): a prefilter of this group's suppressed numbers (audience.ts `filterBit`). A set
   * bit means "maybe suppressed", a clear one "not suppressed"; bits are set by suppressions, never cleared.
   */
  suppressedFilter(group: number): string {
    return `${this.prefix}:{a:${group}}:sf`;
  }

  /** String: how many numbers of this group are suppressed. */
  suppressedCount(group: number): string {
    return `${this.prefix}:{a:${group}}:n`;
  }

  /**
   * Hash: one bucket of the keyword order (inbound-apply-3.lua): field (as `audience`'s) → `unix second × 2 + 1`
   * for an opt-out, `+ 0` for an opt-in, of the number's latest applied keyword event. Expires after the horizon.
   */
  audienceKeywords(group: number, bucket: number): string {
    return `${this.audienceGroup(group)}k:${String(bucket).padStart(4, '0')}`;
  }

  /** String: an inbound message id already applied (inbound-apply-3.lua builds it), kept for the horizon. */
  inboundSeen(group: number, messageId: string): string {
    return `${this.audienceGroup(group)}in:${messageId}`;
  }

  /**
   * List: a suppression import being read (audience.ts stageImport): each element a comma-separated batch of
   * numbers; applied once the whole file has been read, deleted then or on refusal, and expiring meanwhile.
   */
  suppressionImport(id: string): string {
    return `${this.prefix}:simport:${id}`;
  }

  /** Hash: suppression reason `r:<text>` → small id, `i:<id>` → text, `#` → last id given. */
  get suppressionReasons(): string {
    return `${this.prefix}:reasons`;
  }

  /** String: when (ms) the last inbound message arrived at the webhook (for 409 NO_INBOUND_EVENTS). */
  get lastInbound(): string {
    return `${this.prefix}:inbound`;
  }

  /** String (with its expiry): a campaign page session, by the SHA-256 of its id (page-sessions.ts). */
  pageSession(idHash: string): string {
    return `${this.prefix}:ps:${idHash}`;
  }

  /** Hash: cluster-wide metric counters pushed by the workers. */
  get metrics(): string {
    return `${this.prefix}:metrics`;
  }

  /**
   * Sorted set: event endpoint id (SPEC §16) scored by creation time (ms). Endpoint keys share the hash tag `{ev}`
   * (few keys, written together).
   */
  get eventEndpoints(): string {
    return `${this.prefix}:{ev}:endpoints`;
  }

  /**
   * Hash: one event endpoint: `url`, `events` (comma-separated), `campaign`, `desc`, `at` (ms), `s` the signing
   * secret, `s0` the previous secret after a rotation and `s0x` when it stops signing (ms), `off` when a 410
   * disabled it (ms). Secrets are never logged.
   */
  eventEndpoint(id: string): string {
    return `${this.prefix}:{ev}:ep:${id}`;
  }

  /**
   * What every sender key (SPEC §15) begins with: the hash tag `{snd}` keeps them on one cluster slot, so one script
   * (assign-senders-1.lua) chooses senders, counts the messaging limit and checks the pair rate together. The script
   * builds `<senders>tier:<portfolio>` (sorted set: number → when counted, ms), `<senders>st:<epoch>` (hash:
   * number → `<sender>:<ms>`, the sticky sender) and `<senders>pr:<sender>:<slot>` (hash: number → last request ms).
   */
  get senders(): string {
    return `${this.prefix}:{snd}:`;
  }

  /** Hash: `p:<id>` → paused (JSON code, reason, since), `slow:<id>` → slowed until (ms), `busy:<id>` (ms). */
  get senderState(): string {
    return `${this.senders}state`;
  }

  /** Hash: `s:<id>` → a sender's public settings (JSON id, rate, portfolio, numbers), `l:<portfolio>` → its limit. */
  get senderRegistry(): string {
    return `${this.senders}reg`;
  }

  /** Hash: `<sender>:<worker>` → `<requests in flight>:<ms>` as each worker last reported them. */
  get senderInFlight(): string {
    return `${this.senders}inflight`;
  }

  /** Set: campaigns paused `NO_ACTIVE_SENDER`, resumed when a sender is. */
  get senderBlocked(): string {
    return `${this.senders}blocked`;
  }

  /** Hash: one sender's rate (GCRA `tat`, as `sendRate`). */
  senderRate(id: string): string {
    return `${this.senders}rate:${id}`;
  }

  /** Sorted set: the numbers a portfolio's messaging limit counts (number → when counted, ms). */
  tier(portfolio: string): string {
    return `${this.senders}tier:${portfolio}`;
  }

  /**
   * Stream: the outbox of this campaign's events (SPEC §16), written by the script of each state change. An entry
   * is `t <kind letter> [i <message index>]`, no payload: the event is rebuilt from the ledger when it is sent.
   * Trimmed once the pump has copied its entries into the endpoints' queues.
   */
  outbox(id: string): string {
    return this.campaign(id, 'ev');
  }

  /** Sorted set: outbox (campaign id) → writes since the pump last read it to its end (outbox.ts). */
  get eventSources(): string {
    return `${this.prefix}:{ev}:src`;
  }

  /** String: which process pumps outboxes into the endpoint queues now (a lease). */
  get eventPump(): string {
    return `${this.prefix}:{ev}:pump`;
  }

  /** Hash: event id → reason of a `campaign.paused` event waiting in some queue. */
  get eventReasons(): string {
    return `${this.prefix}:{ev}:why`;
  }

  /**
   * Sorted set: the endpoint's pending deliveries, an event ref (event-deliveries.ts) scored by
   * `due ms × 16 + attempts made`; a delivery in flight is scored at its lease's end.
   */
  eventQueue(endpoint: string): string {
    return `${this.prefix}:{ev}:q:${endpoint}`;
  }

  /** Sorted set: the endpoint's failed deliveries (every retry spent), event ref → when it failed (ms). */
  eventFailed(endpoint: string): string {
    return `${this.prefix}:{ev}:x:${endpoint}`;
  }

  /** Hash: event ref → the failed delivery's body and last answer (JSON), kept with eventFailed (14 days). */
  eventFailedBodies(endpoint: string): string {
    return `${this.prefix}:{ev}:xb:${endpoint}`;
  }

  /** List: the endpoint's latest succeeded deliveries, newest first (JSON each, capped). */
  eventSucceeded(endpoint: string): string {
    return `${this.prefix}:{ev}:ok:${endpoint}`;
  }

  /**
   * Hash: the endpoint's delivery health: `ok`, `retried`, `failed`, `disabled` counts, `last_ok` and `failing` (ms
   * of the first failure since the last success), `last_status` / `last_error`.
   */
  eventHealth(endpoint: string): string {
    return `${this.prefix}:{ev}:h:${endpoint}`;
  }
}
