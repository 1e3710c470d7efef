import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, unauthorized } from './errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A constant-time membership test for secrets (no early exit on the first differing byte). */
export function secretMatcher(secrets: string[]): (candidate: string | undefined) => boolean {
  const known = secrets.map(digest);
  return (candidate) => {
    if (!candidate) return false;
    const d = digest(candidate);
    let hit = false;
    for (const k of known) hit = timingSafeEqual(k, d) || hit;
    return hit;
  };
}

/**
 * Checks Meta's `X-Hub-Signature-256: sha256=<hex>`: the HMAC-SHA256 of the raw body with the app secret,
 * compared in constant time (both sides hashed to the same length first, like secretMatcher).
 */
export function signatureMatcher(appSecret: string): (rawBody: Buffer, header: string | undefined) => boolean {
  return (rawBody, header) => {
    if (!header) return false;
    const expected = `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
    return timingSafeEqual(digest(expected), digest(header.trim().toLowerCase()));
  };
}

/** The campaign page's session cookie (SPEC §22): only /v1 needs it, so it is sent nowhere else. */
export const PAGE_COOKIE = 'sobot_page';
export const PAGE_COOKIE_PATH = '/v1';
/** A page session lasts this long (cookie Max-Age and the Redis expiry alike); then the page loads anew. */
export const PAGE_SESSION_MS = 8 * 3_600_000;

/** The value of cookie `name` in a Cookie header, if any. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** `Set-Cookie` for a page session: HttpOnly, SameSite=Strict, Secure over https, Path=/v1, expiring. */
export function pageCookie(id: string, secure: boolean, maxAgeMs = PAGE_SESSION_MS): string {
  return [
    `${PAGE_COOKIE}=${id}`,
    `Path=${PAGE_COOKIE_PATH}`,
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a cookie-carrying request comes from a page of this origin. SameSite=Strict already keeps the cookie off
 * cross-site requests; this also refuses a same-site but cross-origin one (another port or subdomain): a
 * `Sec-Fetch-Site` other than same-origin, or an `Origin` whose host is not this Host, is refused; a request that
 * changes something must carry one of them (browsers send Origin with every POST and DELETE fetch).
 */
export function fromThisOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  let originOk = false;
  if (origin !== undefined) {
    try {
      originOk = new URL(origin).host === req.headers.host;
    } catch {
      originOk = false;
    }
    if (!originOk) return false;
  }
  return SAFE_METHODS.has(req.method) || site === 'same-origin' || originOk;
}

/** What /v1's auth asks the page sessions. */
export interface SessionCheck {
  valid(id: string | undefined): Promise<boolean>;
}

/**
 * Auth for /v1: `Authorization: Bearer <one of API_KEYS>`, or the campaign page's session cookie from a page of
 * this origin (fromThisOrigin). A bearer header, when present, decides alone.
 */
export function v1Auth(tokens: string[], sessions?: SessionCheck) {
  const matches = secretMatcher(tokens);
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const header = req.headers.authorization;
    if (header !== undefined || !sessions) {
      const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      if (!matches(token)) throw unauthorized();
      return;
    }
    const session = cookieValue(req.headers.cookie, PAGE_COOKIE);
    if (session === undefined) throw unauthorized();
    if (!fromThisOrigin(req)) throw crossOrigin();
    if (!(await sessions.valid(session))) throw sessionExpired();
  };
}

const crossOrigin = () =>
  new ApiError('CROSS_ORIGIN', 'the page session is only accepted from the campaign page of this producer');
const sessionExpired = () =>
  new ApiError('SESSION_EXPIRED', 'the page session has expired or ended: reload the campaign page');
