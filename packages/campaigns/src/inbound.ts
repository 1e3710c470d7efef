import type { InboundMessage, KeywordAction } from '@sobot/schema';
import type { InboundEffect, InboundEvent } from '@sobot/store';

/**
 * The audience writes inbound messages cause (SPEC §12, §21). The store's `store.audience` has this shape; the
 * webhook depends on these two calls only.
 */
export interface AudienceWrites {
  /** Opens each number's 24-hour window from `atMs` (and records that an inbound event arrived). */
  openWindows(entries: { number: string; atMs: number }[]): Promise<void>;
  /** Applies keyword messages once each and in their own time order per number; the effect of each. */
  applyInbound(
    events: readonly InboundEvent[],
    reason: string,
    opts?: { now?: number; horizonMs?: number },
  ): Promise<InboundEffect[]>;
}

/** The suppression reason an opt-out keyword leaves. */
export const OPT_OUT_REASON = 'opt-out keyword';

export interface InboundTally {
  /** Senders whose latest applied keyword is an opt-out: suppressed (new or not). */
  opted_out: number;
  /** Senders whose latest applied keyword is an opt-in: a `keyword` or `upstream` suppression is lifted (if any). */
  opted_in: number;
  /** Of those, senders with an operator's or an import's suppression (or a newer upstream one), which stays. */
  opt_in_kept: number;
  /** Keyword messages whose id was seen before (7 days): not applied again. */
  duplicates: number;
  /** Keywords that changed nothing: older than the sender's latest applied keyword, or than the horizon. */
  outdated: number;
}

const APPLIED_OUT: ReadonlySet<InboundEffect> = new Set(['suppressed', 'already-suppressed']);
const APPLIED_IN: ReadonlySet<InboundEffect> = new Set(['lifted', 'not-suppressed', 'kept']);

/**
 * Applies a webhook body's inbound messages: each is applied once (by its message id); a sender whose keyword
 * message is newer than its latest applied one (and not older than the horizon) is suppressed by an opt-out
 * keyword (source `keyword`) or has a keyword or upstream suppression lifted by an opt-in keyword. A message that
 * is no keyword changes nothing on the list (nor is its id kept). Every sender's window opens from its latest
 * message (a window is a maximum: a duplicate opens nothing new).
 */
export async function applyInbound(
  audience: AudienceWrites,
  messages: readonly InboundMessage[],
  keyword: (text: string | undefined) => KeywordAction | undefined,
  opts: { now?: number; horizonMs?: number } = {},
): Promise<InboundTally> {
  const tally: InboundTally = { opted_out: 0, opted_in: 0, opt_in_kept: 0, duplicates: 0, outdated: 0 };
  if (messages.length === 0) return tally;
  const latest = new Map<string, number>();
  for (const m of messages) latest.set(m.from, Math.max(latest.get(m.from) ?? 0, m.at));
  // Only keywords go to the list (and have their ids remembered): a window is a maximum, so opening it twice
  // is opening it once, and remembering every message's id for 7 days would cost memory for nothing.
  const events: InboundEvent[] = messages.flatMap((m) => {
    const action = m.type === 'text' ? keyword(m.text) : undefined;
    return action ? [{ number: m.from, atMs: m.at, action, ...(m.id ? { id: m.id } : {}) }] : [];
  });
  const [effects] = await Promise.all([
    audience.applyInbound(events, OPT_OUT_REASON, opts),
    audience.openWindows([...latest].map(([number, atMs]) => ({ number, atMs }))),
  ]);
  // Per sender, the latest applied keyword decides what it counts as (time order, then order in the body).
  const order = events.map((_, i) => i).sort((a, b) => events[a]!.atMs - events[b]!.atMs);
  const last = new Map<string, InboundEffect>();
  for (const i of order) {
    const effect = effects[i]!;
    if (APPLIED_OUT.has(effect) || APPLIED_IN.has(effect)) last.set(events[i]!.number, effect);
    else if (effect === 'duplicate') tally.duplicates += 1;
    else if (effect === 'too-old' || effect === 'out-of-order') tally.outdated += 1;
  }
  for (const effect of last.values()) {
    if (APPLIED_OUT.has(effect)) tally.opted_out += 1;
    else tally.opted_in += 1;
    if (effect === 'kept') tally.opt_in_kept += 1;
  }
  return tally;
}
