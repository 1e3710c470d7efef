import { createHmac, timingSafeEqual } from 'node:crypto';
import { SobotBulkError } from './errors';

/**
 * Checking an outbound event (SPEC §16, Standard Webhooks) on the receiving side, with node:crypto only: this is
 * the receiver's implementation, independent of the producer's signing code.
 */

/** Seconds an event's `webhook-timestamp` may differ from the receiver's clock (either way). */
export const EVENT_TOLERANCE_SECONDS = 5 * 60;

export type EventErrorCode = 'EVENT_HEADERS_MISSING' | 'EVENT_TIMESTAMP_OUT_OF_TOLERANCE' | 'EVENT_SIGNATURE_INVALID';

/** `verifyEvent` refused an event: answer 400 (or 401) and do not act on it. */
export class SobotBulkEventError extends SobotBulkError {
  override readonly name = 'SobotBulkEventError';

  constructor(
    override readonly code: EventErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/** Headers as node's `req.headers`, a plain object, or a fetch `Headers`. */
export type EventHeaders =
  Record<string, string | string[] | undefined> | { get(name: string): string | null | undefined };

/** An outbound event's body: `{id, type, created_at, data}`. */
export interface OutboundEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  created_at: string;
  data: T;
}

export interface VerifyOptions {
  /** Allowed clock difference in seconds (default 300). */
  toleranceSeconds?: number;
  /** The receiver's clock, Unix seconds (for tests). */
  now?: number;
}

function header(headers: EventHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(n: string): string | null | undefined }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const found = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = found === undefined ? undefined : record[found];
  return Array.isArray(value) ? value[0] : value;
}

function keyOf(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return Buffer.from(b64, 'base64');
}

/**
 * Checks an event the way Standard Webhooks says: the `webhook-timestamp` within the tolerance of now, and one of
 * the space-separated `v1,<base64>` signatures of `webhook-signature` equal to the HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` under `secret` (`whsec_…`; during a rotation either secret checks).
 * `body` must be the raw body as received (bytes or the exact string), not re-serialised JSON.
 * Returns the parsed event; throws SobotBulkEventError otherwise.
 */
export function verifyEvent<T = Record<string, unknown>>(
  body: string | Uint8Array,
  headers: EventHeaders,
  secret: string,
  options: VerifyOptions = {},
): OutboundEvent<T> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new SobotBulkEventError(
      'EVENT_HEADERS_MISSING',
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  }
  const sent = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? EVENT_TOLERANCE_SECONDS;
  if (!Number.isFinite(sent) || Math.abs(now - sent) > tolerance) {
    throw new SobotBulkEventError(
      'EVENT_TIMESTAMP_OUT_OF_TOLERANCE',
      `webhook-timestamp is more than ${tolerance} s away from now`,
    );
  }
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const expected = createHmac('sha256', keyOf(secret))
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), raw]))
    .digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, mac] = entry.split(',', 2);
    if (version !== 'v1' || !mac) return false;
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new SobotBulkEventError('EVENT_SIGNATURE_INVALID', 'no signature matches this secret');
  return JSON.parse(raw.toString('utf8')) as OutboundEvent<T>;
}
