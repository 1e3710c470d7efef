import type { Faults } from './faults';
import { inboundRequestSchema, postInbound, type InboundRequest, type InboundResult } from './inbound';
import { MessageApi, type MessageApiOptions } from './message-api';
import { buildServer } from './server';
import type { SandboxStats } from './stats';
import type { WebhookOptions } from './webhook';

export interface SandboxOptions extends MessageApiOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface Sandbox {
  /** Base URL; messages go to `${url}/message/`. */
  readonly url: string;
  readonly port: number;
  /** A copy of what was received so far. */
  stats(): SandboxStats;
  /** Clears the stats and restores the faults the sandbox started with. */
  reset(): void;
  /** The faults in force. */
  faults(): Faults;
  /** Merges `patch` into the faults in force (throws a ZodError on a bad value). */
  setFaults(patch: Partial<Faults>): void;
  /** Replaces the webhook (undefined: none), e.g. once the receiver's port is known. */
  setWebhook(options: WebhookOptions | undefined): void;
  /** Posts an inbound text message to the webhook; throws on a bad field, without a webhook, or unreachable. */
  inbound(request: InboundRequest): Promise<InboundResult>;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const api = new MessageApi(options);
  const app = buildServer(api);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    api.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => api.stats.snapshot(),
    reset: () => api.reset(),
    faults: () => ({ ...api.faults }),
    setFaults: (patch) => {
      api.setFaults(patch);
    },
    setWebhook: (webhook) => api.setWebhook(webhook),
    inbound: async (request) => {
      const { webhook } = api;
      if (!webhook) throw new Error('the sandbox has no webhook: pass options.webhook or call setWebhook');
      return postInbound(webhook, inboundRequestSchema.parse(request));
    },
    close: async () => {
      api.close();
      await app.close();
    },
  };
}
