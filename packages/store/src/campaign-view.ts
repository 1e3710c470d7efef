import type {
  CampaignList,
  CampaignView,
  MessageList,
  MessageListItem,
  MessageSummary,
  MessageView,
  ReportRow,
  RowError,
} from '@sobot/schema';
import { CAMPAIGN_ID_SOURCE, errorHint, formatQuietHours, type CampaignStatus } from '@sobot/schema';
import { META, parseMeta, type CampaignMeta } from './campaign-meta';
import { decodeDelivery } from './delivery-codec';
import { InvalidCursorError } from './errors';
import { locate, type StoreContext } from './context';
import { messageId, parseMessageId } from './ids';
import { decodeOutcome, type Outcome } from './outcome-codec';
import { decodeChunk } from './recipient-codec';
import type { SystemPause } from './send-rate';

/** Seconds over which the current rate is averaged. */
/** Index entries one filtered campaign page looks at, at most. */
const SCAN_MAX = 1000;
type IndexEntry = { score: number; id: string };
const RATE_WINDOW_S = 10;
const iso = (ms: number | null): string | null => (ms ? new Date(ms).toISOString() : null);

/** Reads campaigns for the API, the page, the CLI and reports. */
export class CampaignReader {
  constructor(
    private readonly ctx: StoreContext,
    private readonly system: SystemPause,
  ) {}

  async meta(id: string): Promise<CampaignMeta | undefined> {
    return parseMeta(await this.ctx.redis.hgetall(this.ctx.keys.meta(id)));
  }

  /** The campaign's stored status (one HGET: the workers poll it). */
  async status(id: string): Promise<CampaignStatus | undefined> {
    return ((await this.ctx.redis.hget(this.ctx.keys.meta(id), META.status)) ?? undefined) as
      CampaignStatus | undefined;
  }

  /** Resolves once the campaign exists (a concurrent call is still creating it); false after `timeoutMs`. */
  async waitUntilExists(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
      if ((await this.ctx.redis.exists(this.ctx.keys.meta(id))) === 1) return true;
      if (Date.now() + wait > deadline) return false;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async view(id: string): Promise<CampaignView | undefined> {
    const { redis, keys } = this.ctx;
    const nowS = Math.floor(Date.now() / 1000);
    const seconds = Array.from({ length: RATE_WINDOW_S }, (_, i) => String(nowS - 1 - i));
    const [metaHash, counts, failures, perSecond, pause, waitingHash] = await Promise.all([
      redis.hgetall(keys.meta(id)),
      redis.hgetall(keys.counts(id)),
      redis.hgetall(keys.failures(id)),
      redis.hmget(keys.perSecond(id), ...seconds),
      this.system.current(),
      redis.hgetall(keys.waiting(id)),
    ]);
    const meta = parseMeta(metaHash);
    if (!meta) return undefined;
    const n = (k: string) => Number(counts[k] ?? 0);
    const sent = n('sent');
    const failed = n('failed');
    const skipped = n('skipped');
    // Cancelling ends the recipients still pending: those sent, failed or skipped keep their state.
    const ended = sent + failed + skipped;
    const cancelled = meta.status === 'cancelled' ? Math.max(0, meta.accepted - ended) : 0;
    const pending = Math.max(0, meta.accepted - ended - cancelled);
    // Averaged over the window, or over the seconds since the oldest one with outcomes in it: a
    // campaign that started 2 s ago is not taken to have sent nothing for the 8 s before.
    const perS = perSecond.map((v) => Number(v ?? 0));
    const span = perS.reduce((oldest, v, i) => (v > 0 ? i + 1 : oldest), 0);
    const rate = span > 0 ? perS.reduce((a, v) => a + v, 0) / span : 0;
    const sending = meta.status === 'running' || meta.status === 'queued';
    let status = meta.status;
    let pausedReason = meta.pausedReason;
    const scheduled = meta.status === 'queued' && meta.sendAt > Date.now();
    if (scheduled) status = 'scheduled';
    else if (pause && sending && pending > 0) {
      status = 'paused';
      pausedReason = pause.reason;
    }
    const quiet = waitingTally(waitingHash, meta.status === 'cancelled' || meta.status === 'completed' ? 0 : pending);
    return {
      id: meta.id,
      name: meta.name,
      source: meta.source,
      lane: meta.lane,
      weight: meta.weight,
      send_at: meta.sendAt ? iso(meta.sendAt) : null,
      status,
      paused_reason: status === 'paused' ? pausedReason : null,
      image_url: meta.defaults.url || null,
      caption: meta.defaults.caption || null,
      counts: {
        total: meta.accepted,
        pending,
        sent,
        failed,
        skipped,
        cancelled,
        waiting: quiet.waiting,
        delivered: n('delivered'),
        read: n('read'),
        delivery_failed: n('dfailed'),
      },
      rows: {
        total: meta.total,
        accepted: meta.accepted,
        rejected: meta.rejected,
        duplicates: meta.duplicates,
        suppressed: meta.suppressed,
      },
      window: meta.window,
      in_window: meta.inWindow,
      failure_reasons: reasons(failures, ''),
      skip_reasons: reasons(failures, 'k:'),
      rate: Math.round(rate * 10) / 10,
      eta_seconds: etaSeconds(status, pending, rate, quiet),
      quiet_hours: meta.quietHours ? formatQuietHours(meta.quietHours) : null,
      waiting_until: iso(quiet.until),
      waiting_reason: (quiet.reason ?? (quiet.waiting > 0 && meta.quietHours ? 'QUIET_HOURS' : null)) as
        'QUIET_HOURS' | 'MESSAGING_LIMIT' | 'PAIR_RATE' | null,
      created_at: iso(meta.createdAt)!,
      started_at: iso(meta.startedAt),
      completed_at: iso(meta.completedAt),
      updated_at: iso(meta.updatedAt) ?? iso(meta.createdAt)!,
    };
  }

  /** The `limit` newest campaigns (see `listPage`). */
  async list(limit = 50): Promise<CampaignView[]> {
    return (await this.listPage({ limit })).campaigns;
  }

  /**
   * One page of campaigns, newest first (creation time, then id). `cursor` (a `next_cursor`) continues after
   * the last campaign of the previous page: campaigns created meanwhile do not shift the pages, as an offset
   * would. `statuses` keeps the campaigns whose *shown* status is one of them (`scheduled` and a system pause
   * are derived in `view`). `next_cursor` is null when no further campaign matches. A filtered page looks at
   * no more than SCAN_MAX campaigns: it may come back short (even empty) with a `next_cursor` to go on from.
   * Campaigns whose results expired are dropped from the index as they are met.
   */
  async listPage(
    opts: { limit?: number; cursor?: string; statuses?: readonly CampaignStatus[] } = {},
  ): Promise<CampaignList> {
    const limit = opts.limit ?? 50;
    const pos = opts.cursor === undefined ? undefined : parseCampaignCursor(opts.cursor);
    if (opts.cursor !== undefined && !pos) throw new InvalidCursorError();
    const wanted = opts.statuses?.length ? new Set<string>(opts.statuses) : undefined;
    const page = await this.scan(pos, limit, wanted, SCAN_MAX);
    if (page.end === 'done') return { campaigns: page.views, next_cursor: null };
    if (page.end === 'full') {
      // Is there a next page? Unfiltered: any campaign after this one. Filtered: one more that matches.
      const more = wanted
        ? (await this.scan(page.pos, 1, wanted, SCAN_MAX - page.scanned)).end !== 'done'
        : (await this.indexAfter(page.pos, 1)).length > 0;
      if (!more) return { campaigns: page.views, next_cursor: null };
    }
    return { campaigns: page.views, next_cursor: page.pos ? encodeCursor(page.pos) : null };
  }

  /**
   * Up to `limit` views after `pos` whose status is `wanted`, looking at no more than `budget` index entries.
   * `end`: `full` (limit reached; `pos` is the last view's), `done` (the index ended), `budget` (`pos` is the
   * last entry looked at).
   */
  private async scan(
    from: IndexEntry | undefined,
    limit: number,
    wanted: Set<string> | undefined,
    budget: number,
  ): Promise<{ views: CampaignView[]; pos: IndexEntry | undefined; scanned: number; end: 'full' | 'done' | 'budget' }> {
    const views: CampaignView[] = [];
    let pos = from;
    let scanned = 0;
    for (;;) {
      const need = limit - views.length;
      const entries = await this.indexAfter(pos, wanted ? Math.max(need, 50) : need);
      if (entries.length === 0) return { views, pos, scanned, end: 'done' };
      const found = await Promise.all(entries.map((e) => this.view(e.id)));
      const gone = entries.filter((_, i) => found[i] === undefined).map((e) => e.id);
      if (gone.length > 0) await this.ctx.redis.zrem(this.ctx.keys.campaignIndex, ...gone);
      for (let i = 0; i < entries.length && views.length < limit; i += 1) {
        pos = entries[i]!;
        scanned += 1;
        const v = found[i];
        if (v && (!wanted || wanted.has(v.status))) views.push(v);
      }
      if (views.length === limit) return { views, pos, scanned, end: 'full' };
      if (scanned >= budget) return { views, pos, scanned, end: 'budget' };
    }
  }

  /** Up to `count` index entries after `pos` in list order (score descending, then id descending). */
  private async indexAfter(pos: IndexEntry | undefined, count: number): Promise<IndexEntry[]> {
    const index = this.ctx.keys.campaignIndex;
    for (let offset = 0; ;) {
      const raw = await this.ctx.redis.zrevrangebyscore(
        index,
        pos ? pos.score : '+inf',
        '-inf',
        'WITHSCORES',
        'LIMIT',
        offset,
        count,
      );
      const entries: IndexEntry[] = [];
      for (let i = 0; i < raw.length; i += 2) entries.push({ id: raw[i]!, score: Number(raw[i + 1]) });
      // Ties come in reverse id order: those at or before the cursor's id were on earlier pages.
      const fresh = pos ? entries.filter((e) => e.score < pos.score || e.id < pos.id) : entries;
      if (fresh.length > 0 || entries.length < count) return fresh;
      offset += entries.length;
    }
  }

  /**
   * API messages accepted since `sinceMs`, oldest first, at most about `limit` (whole calls: a call's messages
   * are never split across pages). `cursor` continues a previous page.
   */
  async messages(sinceMs: number, limit: number, cursor?: string): Promise<MessageList> {
    const { redis, keys } = this.ctx;
    const from = cursor ? decodeCursor(cursor) : { score: sinceMs, id: '' };
    const raw = await redis.zrangebyscore(keys.messageIndex, from.score, '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 100);
    const out: MessageListItem[] = [];
    let last: { score: number; id: string } | undefined;
    for (let i = 0; i < raw.length && out.length < limit; i += 2) {
      const id = raw[i]!;
      const score = Number(raw[i + 1]);
      // Calls with the cursor's score up to and including the cursor's call were on earlier pages.
      if (score === from.score && from.id && id <= from.id) continue;
      const meta = await this.meta(id);
      if (!meta) continue;
      for (let index = 0; index < meta.accepted; index += 1) {
        const view = await this.message(messageId(id, index));
        if (view) out.push({ ...view, created_at: iso(meta.createdAt)! });
      }
      last = { score, id };
    }
    const more = last !== undefined && raw.length > 0 && raw[raw.length - 2] !== last.id;
    return { messages: out, next_cursor: more && last ? encodeCursor(last) : null };
  }

  /** API messages of the last 24 hours: accepted, sent, failed, skipped, pending (SPEC §10). */
  async messageSummary(now = Date.now()): Promise<MessageSummary> {
    const hour = Math.floor(now / 3_600_000);
    const hours = await Promise.all(
      Array.from({ length: 24 }, (_, i) => this.ctx.redis.hgetall(this.ctx.keys.messageSummary(hour - i))),
    );
    const sum = (field: string) => hours.reduce((a, h) => a + Number(h[field] ?? 0), 0);
    const [accepted, sent, failed, skipped] = ['accepted', 'sent', 'failed', 'skipped'].map(sum) as number[];
    return {
      since: new Date((hour - 23) * 3_600_000).toISOString(),
      accepted: accepted!,
      sent: sent!,
      failed: failed!,
      skipped: skipped!,
      pending: Math.max(0, accepted! - sent! - failed! - skipped!),
    };
  }

  /** Every recipient in upload order, a few chunks per round trip. */
  async *report(id: string): AsyncGenerator<ReportRow> {
    const meta = await this.meta(id);
    if (!meta) return;
    const { redis, keys } = this.ctx;
    const BATCH = 10;
    for (let first = 0; first < meta.chunks; first += BATCH) {
      const chunks = Array.from({ length: Math.min(BATCH, meta.chunks - first) }, (_, i) => first + i);
      const loaded = await Promise.all(
        chunks.map((c) =>
          Promise.all([
            redis.get(keys.chunk(id, c)),
            redis.hgetall(keys.outcomes(id, c)),
            redis.hgetall(keys.deliveries(id, c)),
          ]),
        ),
      );
      const cancelled = (await this.status(id)) === 'cancelled';
      for (const [body, outcomes, deliveries] of loaded) {
        if (body === null) continue;
        const recipients = decodeChunk(body, meta.defaults);
        for (let i = 0; i < recipients.length; i += 1) {
          const r = recipients[i]!;
          const raw = outcomes[i];
          yield toReportRow(
            r.customer_number,
            r.customer_name,
            raw ? decodeOutcome(raw) : undefined,
            deliveries[i],
            cancelled,
          );
        }
      }
    }
  }

  /** The upload's rejected rows (without their cells). */
  async rejectedRows(id: string): Promise<RowError[]> {
    return (await this.rejectedFile(id)).rows.map(({ row, line, field, message }) => ({ row, line, field, message }));
  }

  /**
   * The rejected rows with, on the first error of each row, its cells as the file had them, and the file's header
   * (CSV and .xlsx uploads; stored first in the list).
   */
  async rejectedFile(id: string): Promise<{ header?: string[]; rows: Array<RowError & { cells?: string[] }> }> {
    const entries = await this.ctx.redis.lrange(this.ctx.keys.rejectedRows(id), 0, -1);
    let header: string[] | undefined;
    const rows: Array<RowError & { cells?: string[] }> = [];
    for (const entry of entries) {
      const value = JSON.parse(entry) as (RowError & { cells?: string[] }) | { header: string[] };
      if ('header' in value) header = value.header;
      else rows.push(value);
    }
    return header ? { header, rows } : { rows };
  }

  async message(id: string): Promise<MessageView | undefined> {
    const ref = parseMessageId(id);
    if (!ref) return undefined;
    const meta = await this.meta(ref.campaignId);
    if (!meta || ref.index >= meta.accepted) return undefined;
    const { chunk, offset } = locate(ref.index, meta.chunkSize);
    const { redis, keys } = this.ctx;
    const [body, raw, delivery, metadata] = await Promise.all([
      redis.get(keys.chunk(ref.campaignId, chunk)),
      redis.hget(keys.outcomes(ref.campaignId, chunk), String(offset)),
      redis.hget(keys.deliveries(ref.campaignId, chunk), String(offset)),
      meta.source === 'api' ? redis.hget(keys.metadata(ref.campaignId), String(ref.index)) : null,
    ]);
    if (body === null) return undefined;
    const r = decodeChunk(body, meta.defaults)[offset];
    if (!r) return undefined;
    const row = toReportRow(
      r.customer_number,
      r.customer_name,
      raw ? decodeOutcome(raw) : undefined,
      delivery ?? undefined,
      meta.status === 'cancelled',
    );
    return {
      id: messageId(ref.campaignId, ref.index),
      campaign_id: ref.campaignId,
      customer_number: r.customer_number,
      status: row.status,
      wamid: row.wamid || null,
      delivery_status: (row.delivery_status || null) as MessageView['delivery_status'],
      error_code: row.error_code || null,
      error_message: row.error_message || null,
      ...withHint(row.error_code),
      attempts: row.attempts,
      updated_at: row.updated_at || null,
      metadata: metadata ? (JSON.parse(metadata) as Record<string, unknown>) : null,
    };
  }
}

/** `error_hint` of a recorded code, when the reasons table explains it. */
function withHint(code: string | undefined): { error_hint?: string } {
  const hint = errorHint(code);
  return hint ? { error_hint: hint } : {};
}

/**
 * Failures (`kind` '') or skips (`kind` 'k:') grouped by code, most frequent first, from the failures hash:
 * `<code>` / `k:<code>` counts, `m:<code>` / `m:k:<code>` the last message (see record-outcomes-6.lua).
 */
function reasons(failures: Record<string, string>, kind: '' | 'k:'): CampaignView['failure_reasons'] {
  return Object.entries(failures)
    .filter(([k]) => !k.startsWith('m:') && (kind ? k.startsWith(kind) : !k.startsWith('k:')))
    .map(([k, count]) => {
      const code = k.slice(kind.length);
      const hint = errorHint(code);
      return { code, count: Number(count), message: failures[`m:${k}`] ?? '', ...(hint ? { error_hint: hint } : {}) };
    })
    .filter((f) => f.count > 0)
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** A recipient's status from its outcome: terminal kinds first, then the campaign's cancel. */
function recipientStatus(o: Outcome | undefined, cancelled: boolean): ReportRow['status'] {
  if (o?.kind === 's') return 'sent';
  if (o?.kind === 'f') return 'failed';
  if (o?.kind === 'k') return 'skipped';
  return cancelled ? 'cancelled' : 'pending';
}

/** Recipients quiet hours hold now (at most `pending`) and when the first may go, from the per-chunk tally. */
function waitingTally(
  hash: Record<string, string>,
  pending: number,
): { waiting: number; until: number | null; reason: string | null } {
  let waiting = 0;
  let until: number | null = null;
  let reason: string | null = null;
  for (const v of Object.values(hash)) {
    const [count = '0', at = '0', why] = v.split(':');
    waiting += Number(count);
    until = until === null ? Number(at) : Math.min(until, Number(at));
    // The messaging limit (SPEC §15) names the wait before the pair rate; quiet hours carry no reason.
    if (why && (reason === null || why === 'MESSAGING_LIMIT')) reason = why;
  }
  waiting = Math.min(waiting, pending);
  return { waiting, until: waiting > 0 ? until : null, reason: waiting > 0 ? reason : null };
}

/**
 * Seconds until every pending recipient is sent at the current rate: the ones free to go now, or the waiting
 * ones once quiet hours end (plus their own sending time), whichever is later. Null when not sending, or when
 * nothing was sent yet and not all pending recipients wait.
 */
function etaSeconds(
  status: CampaignStatus,
  pending: number,
  rate: number,
  quiet: { waiting: number; until: number | null },
): number | null {
  if (status !== 'running' && status !== 'queued') return null;
  const waitS = quiet.until === null ? 0 : Math.max(0, (quiet.until - Date.now()) / 1000);
  if (rate <= 0) return quiet.waiting > 0 && quiet.waiting === pending ? Math.ceil(waitS) : null;
  if (status !== 'running' && quiet.waiting === 0) return null;
  return Math.ceil(Math.max((pending - quiet.waiting) / rate, quiet.waiting > 0 ? waitS + quiet.waiting / rate : 0));
}

function toReportRow(
  number: string,
  name: string,
  o: Outcome | undefined,
  raw: string | undefined,
  cancelled: boolean,
): ReportRow {
  const status = recipientStatus(o, cancelled);
  const d = decodeDelivery(raw);
  const deliveryFailed = d?.status === 'failed' && status === 'sent';
  return {
    customer_number: number,
    customer_name: name,
    status,
    wamid: o?.wamid ?? '',
    error_code: deliveryFailed ? d.code : (o?.code ?? ''),
    error_message: deliveryFailed ? d.message : (o?.message ?? ''),
    attempts: o?.attempts ?? 0,
    updated_at: o ? new Date(Math.max(o.at, d?.at ?? 0)).toISOString() : '',
    delivery_status: d?.status ?? (status === 'sent' ? 'sent' : ''),
  };
}

function encodeCursor(c: { score: number; id: string }): string {
  return Buffer.from(`${c.score}:${c.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { score: number; id: string } {
  const [score = '0', id = ''] = Buffer.from(cursor, 'base64url').toString().split(':');
  return { score: Number(score) || 0, id };
}

/** A campaign-list cursor decoded: `<score>:<campaign id>`. */
const CURSOR = new RegExp(`^(\\d{1,16}):(${CAMPAIGN_ID_SOURCE})$`);

/** The position a campaign-list cursor stands for, or undefined when the text is not one this API handed out. */
export function parseCampaignCursor(cursor: string): IndexEntry | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const m = CURSOR.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? { score: Number(m[1]), id: m[2]! } : undefined;
}
