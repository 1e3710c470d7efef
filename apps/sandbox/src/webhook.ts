import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { statusEvent, type WebhookStatus } from './events';
import type { UpstreamCode } from './upstream-errors';

export interface WebhookOptions {
  /** Where events are posted; may carry `?token=…`. */
  url: string;
  /** Wait before each status event (default 200 ms). */
  delayMs?: number;
  /** Events to send after each 200, in order (default ['delivered']). */
  statuses?: Array<Exclude<WebhookStatus, 'failed'>>;
  /** The app secret: every post carries `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body>`. */
  secret?: string;
}

/** The body of `POST /_sandbox/webhook`. */
export const webhookOptionsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  statuses: z.array(z.enum(['sent', 'delivered', 'read'])).optional(),
  secret: z.string().min(1).optional(),
});

/** What the webhook receiver answered. */
export interface WebhookAnswer {
  status: number;
  body: string;
}

/** A receiver that hangs must not pile up open requests in the sandbox. */
const POST_TIMEOUT_MS = 5_000;
/** Enough of a receiver's answer to show what it said. */
const ANSWER_MAX_CHARS = 4_000;

/** `sha256=<hex>`, the form of Meta's X-Hub-Signature-256 header. */
export function signature(secret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Sends each accepted message's status events to the webhook, one after the other, each `delayMs`
 * after the previous one settled; a message with a failure code gets `sent` (when configured) then
 * `failed`. Delivery failures of status events are swallowed: a real provider does not tell the
 * sender its webhook was down either. Inbound events are posted at once and their answer returned.
 */
export class WebhookNotifier {
  private readonly delayMs: number;
  private readonly statuses: readonly WebhookStatus[];
  private readonly failing: readonly WebhookStatus[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborter = new AbortController();

  constructor(private readonly options: WebhookOptions) {
    this.delayMs = options.delayMs ?? 200;
    this.statuses = options.statuses ?? ['delivered'];
    this.failing = [...this.statuses.filter((s) => s === 'sent'), 'failed'];
  }

  notify(wamid: string, number: string, failCode?: UpstreamCode): void {
    this.schedule(wamid, number, failCode, 0);
  }

  /** Posts one event now; rejects when the receiver cannot be reached or does not answer in time. */
  async post(event: object): Promise<WebhookAnswer> {
    const raw = Buffer.from(JSON.stringify(event));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.secret !== undefined) headers['x-hub-signature-256'] = signature(this.options.secret, raw);
    const res = await fetch(this.options.url, {
      method: 'POST',
      headers,
      body: raw,
      signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(POST_TIMEOUT_MS)]),
    });
    // Read to the end so the connection goes back to the pool.
    const body = await res.text();
    return { status: res.status, body: body.slice(0, ANSWER_MAX_CHARS) };
  }

  /** Cancels pending events and in-flight posts. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.aborter.abort();
  }

  private schedule(wamid: string, number: string, failCode: UpstreamCode | undefined, step: number): void {
    const status = (failCode === undefined ? this.statuses : this.failing)[step];
    if (status === undefined || this.aborter.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.post(statusEvent(wamid, number, status, Date.now(), failCode)).then(
        () => this.schedule(wamid, number, failCode, step + 1),
        // Swallowed on purpose (see the class comment); the next event still goes out.
        () => this.schedule(wamid, number, failCode, step + 1),
      );
    }, this.delayMs);
    this.timers.add(timer);
  }
}
