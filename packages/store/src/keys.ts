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

  /** Hash: sent, failed, delivered, read, dfailed (delivery failed). */
  counts(id: string): string {
    return this.campaign(id, 'n');
  }

  /** Hash: `<code>` → failures with that code, `m:<code>` → the last message seen for it. */
  failures(id: string): string {
    return this.campaign(id, 'f');
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

  /** List: rejected rows of the upload, one JSON `{row, field, message}` each. */
  rejectedRows(id: string): string {
    return this.campaign(id, 'rej');
  }

  /** String: token of the job sending chunk `n` now (at most one job sends a chunk at a time). */
  lease(id: string, n: number): string {
    return this.campaign(id, `l:${n}`);
  }

  /** Set: ids of this campaign's chunk jobs parked while it is paused. */
  parked(id: string): string {
    return this.campaign(id, 'parked');
  }

  /** String: campaign id (and body hash) that an idempotency key created. */
  idempotency(keyHash: string): string {
    return `${this.prefix}:idem:${keyHash}`;
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

  /** Hash: cluster-wide metric counters pushed by the workers. */
  get metrics(): string {
    return `${this.prefix}:metrics`;
  }
}
