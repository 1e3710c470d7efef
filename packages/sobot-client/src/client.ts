import { Pool } from 'undici';
import { SEND_POLICY, type SobotImageMessage } from '@sobot/schema';
import { UnavailableError, RejectedError } from './errors';
import { classifyAnswer } from './policy';

export interface SobotClientOptions {
  /** e.g. https://api.sobot.in — messages go to `${baseUrl}/message/`. */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Sockets kept open to the upstream (match the worker's requests in flight). */
  connections: number;
  /** A request with no answer after this long is cut (a hung upstream never holds a message forever). */
  timeoutMs: number;
}

/** A key pair to sign one request with (a sender's, SPEC §15), instead of the client's own. */
export interface KeyPair {
  readonly apiKey: string;
  readonly apiSecret: string;
}

export interface Sent {
  wamid: string;
  status: string;
}

/**
 * Sends the exact reference request. Resolves with the wamid on 200 + `data.id`; otherwise throws one of
 * the typed errors in errors.ts. Never logs: the caller decides what is worth a line.
 */
export class SobotClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  /** Headers per key pair, built once each. */
  private readonly signed = new WeakMap<KeyPair, Record<string, string>>();

  constructor(private readonly opts: SobotClientOptions) {
    const url = new URL(opts.baseUrl);
    this.path = `${url.pathname.replace(/\/+$/, '')}/message/`;
    this.pool = new Pool(url.origin, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, SEND_POLICY.connectTimeoutMaxMs),
    });
    this.headers = { 'x-api-key': opts.apiKey, 'x-api-secret': opts.apiSecret, 'content-type': 'application/json' };
  }

  /** Sends `message`, signed with `as` when given (a sender's key pair), else with the client's own. */
  async send(message: SobotImageMessage, as?: KeyPair): Promise<Sent> {
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: as ? this.headersFor(as) : this.headers,
        body: JSON.stringify(referenceBody(message)),
      });
      status = res.statusCode;
      retryAfter = res.headers['retry-after'];
      text = await res.body.text();
    } catch (err) {
      throw new UnavailableError(networkCode(err), `request failed: ${(err as Error).message}`);
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (status >= 200 && status < 300) {
      const data = (body as { data?: { id?: unknown; status?: unknown } } | undefined)?.data;
      if (typeof data?.id === 'string' && data.id.length > 0)
        return { wamid: data.id, status: String(data.status ?? 'submitted') };
      // Accepted without a wamid: we cannot prove it was not sent, so we do not send it again.
      throw new RejectedError('NO_WAMID', `upstream answered ${status} without data.id`);
    }
    throw classifyAnswer(status, body ?? { message: text.slice(0, 200) }, retryAfter);
  }

  private headersFor(as: KeyPair): Record<string, string> {
    let h = this.signed.get(as);
    if (!h) {
      h = { 'x-api-key': as.apiKey, 'x-api-secret': as.apiSecret, 'content-type': 'application/json' };
      this.signed.set(as, h);
    }
    return h;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function networkCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return 'TIMEOUT';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'CONNECTION_RESET';
  if (code === 'ECONNREFUSED') return 'CONNECTION_REFUSED';
  return typeof code === 'string' ? code : 'NETWORK_ERROR';
}

/** Exactly the reference request's fields, whatever else the message object carries. */
function referenceBody(m: SobotImageMessage): SobotImageMessage {
  const body: SobotImageMessage = {
    type: 'image',
    url: m.url,
    customer_number: m.customer_number,
    customer_name: m.customer_name,
    mime_type: m.mime_type,
  };
  if (m.caption) body.caption = m.caption;
  return body;
}
