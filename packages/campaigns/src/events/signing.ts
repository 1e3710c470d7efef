import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/**
 * Standard Webhooks signing (SPEC §16; https://www.standardwebhooks.com): the three headers a receiver checks.
 * Written against the spec with node:crypto (no runtime dependency); the tests verify its output with the
 * reference implementation (`standardwebhooks`) and with the SDK's own `verifyEvent`.
 */

/** Prefix of a secret as shown to the user; the rest is the key in base64. */
export const SECRET_PREFIX = 'whsec_';
/** Random bytes of a new secret (the spec allows 24–64). */
export const SECRET_BYTES = 32;

/** A new secret: `whsec_` and the base64 of 32 random bytes. */
export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key of a `whsec_…` secret; a secret not of that form (or outside 24–64 bytes) throws. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new TypeError('an event secret starts with whsec_');
  const b64 = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(b64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || key.length < 24 || key.length > 64) {
    throw new TypeError('an event secret holds 24 to 64 bytes in base64');
  }
  return key;
}

/** An event id for `webhook-id`: `evt_` and a UUID (unique per event; the same on each retry of it). */
export function newEventId(): string {
  return `evt_${randomUUID().replaceAll('-', '')}`;
}

/** One `v1,<base64>` signature of `{id}.{timestamp}.{body}`. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The headers of one delivery attempt: every secret in `secrets` signs (rotation: the new secret and the old one
 * until it expires), space-separated in that order. `timestamp` is Unix seconds of this attempt.
 */
export function signEvent(
  secrets: readonly string[],
  id: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): SignedHeaders {
  if (secrets.length === 0) throw new TypeError('at least one secret signs an event');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError('timestamp is Unix seconds');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, id, timestamp, body)).join(' '),
  };
}
