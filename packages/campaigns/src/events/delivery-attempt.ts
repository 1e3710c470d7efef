import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { guardedLookup, isPublicAddress, systemResolve, type Resolve } from '../public-address';
import { signEvent } from './signing';

/** SPEC §16: a receiver has 15 s to answer. */
export const EVENT_TIMEOUT_MS = 15_000;
/** Bytes of a receiver's answer read (for the log of a test); the rest is dropped. */
const ANSWER_BYTES = 1_024;

export interface AttemptOptions {
  /** ALLOW_PRIVATE_URLS: any address may be reached (the sandbox and tests run receivers on loopback). */
  allowPrivateUrls?: boolean;
  /** Name resolution; the system resolver by default. */
  resolve?: Resolve;
  timeoutMs?: number;
  /** Unix seconds of the attempt (`webhook-timestamp`); now by default. */
  timestamp?: number;
  /**
   * A connection pool to reuse (the dispatcher keeps one per endpoint, built by `endpointAgent`): its connections
   * are checked when they open, and each attempt resolves the host again and checks every address first.
   */
  agent?: Agent;
}

/** A keep-alive pool for one endpoint whose new connections pass the public-address rule. */
export function endpointAgent(opts: Pick<AttemptOptions, 'allowPrivateUrls' | 'resolve'> = {}): Agent {
  const allowed = opts.allowPrivateUrls ? () => true : isPublicAddress;
  return new Agent({ connect: { lookup: guardedLookup(allowed, opts.resolve ?? systemResolve) }, connections: 16 });
}

/** What one attempt came to: a status, or why there was none. */
export interface AttemptResult {
  ok: boolean;
  status: number | null;
  /** timeout: no answer within the timeout; unreachable: no connection; address: the URL is not public. */
  error: 'timeout' | 'unreachable' | 'address' | null;
  /** `Retry-After` of a 429 or 503, in ms (seconds or an HTTP date); undefined when absent or unreadable. */
  retryAfterMs?: number;
  durationMs: number;
}

/** `Retry-After` as ms from `now`: delta seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POSTs one signed event body to `url` (SPEC §16): Standard Webhooks headers signed with every secret in
 * `secrets`, no redirect followed (undici's request follows none), the public-address rule checked on the
 * address actually connected to (a name that resolves elsewhere since the endpoint was created is refused then).
 * Never throws for what the receiver does; the delivery engine decides on retries from the result.
 */
export async function attemptDelivery(
  url: string,
  secrets: readonly string[],
  eventId: string,
  body: string,
  opts: AttemptOptions = {},
): Promise<AttemptResult> {
  const started = performance.now();
  const done = (r: Omit<AttemptResult, 'durationMs' | 'ok'>): AttemptResult => ({
    ok: r.status !== null && r.status >= 200 && r.status <= 299,
    ...r,
    durationMs: Math.round(performance.now() - started),
  });
  const allowed = opts.allowPrivateUrls ? () => true : isPublicAddress;
  let refused = false;
  const check = (address: string) => {
    if (allowed(address)) return true;
    refused = true;
    return false;
  };
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(literal) !== 0 && !check(literal)) return done({ status: null, error: 'address' });
  if (opts.agent && isIP(literal) === 0 && !opts.allowPrivateUrls) {
    // A pooled connection may be older than the name's current addresses: check them all now (DNS can change).
    const addresses = await (opts.resolve ?? systemResolve)(literal).then(
      (a) => a.map((x) => x.address),
      () => [] as string[],
    );
    if (addresses.length === 0) return done({ status: null, error: 'unreachable' });
    if (!addresses.every(check)) return done({ status: null, error: 'address' });
  }
  const agent = opts.agent ?? new Agent({ connect: { lookup: guardedLookup(check, opts.resolve ?? systemResolve) } });
  const signal = AbortSignal.timeout(opts.timeoutMs ?? EVENT_TIMEOUT_MS);
  try {
    const res = await request(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'sobot-bulk-events/1',
        ...signEvent(secrets, eventId, body, opts.timestamp),
      },
      body,
      dispatcher: agent,
      signal,
    });
    let read = 0;
    try {
      for await (const chunk of res.body) {
        read += (chunk as Buffer).length;
        if (read >= ANSWER_BYTES) break;
      }
    } catch {
      // The status is what counts; a body cut short changes nothing.
    }
    res.body.destroy();
    const status = res.statusCode;
    const retryAfter = status === 429 || status === 503 ? header(res.headers['retry-after']) : undefined;
    return done({ status, error: null, retryAfterMs: retryAfterMs(retryAfter) });
  } catch {
    return done({ status: null, error: refused ? 'address' : signal.aborted ? 'timeout' : 'unreachable' });
  } finally {
    if (agent !== opts.agent) await agent.destroy().catch(() => undefined);
  }
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
