import type { InboundMessage, KeywordAction } from '@sobot/schema';

/**
 * The audience writes inbound messages cause (SPEC §12). The store's `store.audience` has this shape;
 * the webhook depends on these three calls only.
 */
export interface AudienceWrites {
  /** Opens each number's 24-hour window from `atMs` (and records that an inbound event arrived). */
  openWindows(entries: { number: string; atMs: number }[]): Promise<void>;
  /** Suppresses the numbers; how many were not suppressed before. */
  suppress(numbers: string[], reason: string): Promise<number>;
  /** Lifts the numbers' suppression; how many were suppressed. */
  unsuppress(numbers: string[]): Promise<number>;
}

/** The suppression reason an opt-out keyword leaves. */
export const OPT_OUT_REASON = 'opt-out keyword';

export interface InboundTally {
  /** Senders suppressed by an opt-out keyword (new or not). */
  opted_out: number;
  /** Senders whose suppression an opt-in keyword lifted (suppressed or not). */
  opted_in: number;
}

/**
 * Applies a webhook body's inbound messages: every sender's window opens (from its latest message), and a
 * sender whose latest keyword message (by time, then order in the body) is an opt-out keyword is
 * suppressed, an opt-in keyword lifts it. A message that is no keyword changes nothing on the list.
 */
export async function applyInbound(
  audience: AudienceWrites,
  messages: readonly InboundMessage[],
  keyword: (text: string | undefined) => KeywordAction | undefined,
): Promise<InboundTally> {
  if (messages.length === 0) return { opted_out: 0, opted_in: 0 };
  const latest = new Map<string, number>();
  const decided = new Map<string, { action: KeywordAction; at: number }>();
  for (const m of messages) {
    latest.set(m.from, Math.max(latest.get(m.from) ?? 0, m.at));
    const action = m.type === 'text' ? keyword(m.text) : undefined;
    const before = decided.get(m.from);
    if (action && (!before || m.at >= before.at)) decided.set(m.from, { action, at: m.at });
  }
  const out = [...decided].filter(([, d]) => d.action === 'opt-out').map(([n]) => n);
  const inn = [...decided].filter(([, d]) => d.action === 'opt-in').map(([n]) => n);
  await Promise.all([
    audience.openWindows([...latest].map(([number, atMs]) => ({ number, atMs }))),
    out.length ? audience.suppress(out, OPT_OUT_REASON) : 0,
    inn.length ? audience.unsuppress(inn) : 0,
  ]);
  return { opted_out: out.length, opted_in: inn.length };
}
