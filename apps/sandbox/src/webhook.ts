export type WebhookStatus = 'delivered' | 'read';

export interface WebhookOptions {
  url: string;
  /** Wait before each status event (default 200 ms). */
  delayMs?: number;
  /** Events to send, in order (default ['delivered']). */
  statuses?: WebhookStatus[];
}

/** A receiver that hangs must not pile up open requests in the sandbox. */
const POST_TIMEOUT_MS = 5_000;

/** The Meta Cloud API status callback the provider forwards for one message. */
export function statusEvent(wamid: string, number: string, status: WebhookStatus, at = Date.now()): object {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'sandbox',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              statuses: [{ id: wamid, status, timestamp: String(Math.floor(at / 1000)), recipient_id: number }],
            },
          },
        ],
      },
    ],
  };
}

/**
 * Sends each accepted message's status events to the webhook, one after the other, each `delayMs`
 * after the previous one settled. Delivery failures are swallowed: a real provider does not tell the
 * sender its webhook was down either.
 */
export class WebhookNotifier {
  private readonly delayMs: number;
  private readonly statuses: readonly WebhookStatus[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborter = new AbortController();

  constructor(private readonly options: WebhookOptions) {
    this.delayMs = options.delayMs ?? 200;
    this.statuses = options.statuses ?? ['delivered'];
  }

  notify(wamid: string, number: string): void {
    this.schedule(wamid, number, 0);
  }

  /** Cancels pending events and in-flight posts. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.aborter.abort();
  }

  private schedule(wamid: string, number: string, step: number): void {
    const status = this.statuses[step];
    if (status === undefined || this.aborter.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.post(statusEvent(wamid, number, status)).then(() => this.schedule(wamid, number, step + 1));
    }, this.delayMs);
    this.timers.add(timer);
  }

  private async post(event: object): Promise<void> {
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(POST_TIMEOUT_MS)]),
      });
      // Read to the end so the connection goes back to the pool.
      await res.arrayBuffer();
    } catch {
      // Swallowed on purpose (see the class comment).
    }
  }
}
