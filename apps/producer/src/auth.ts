import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unauthorized } from './errors';

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

/** Bearer auth for /v1: `Authorization: Bearer <one of API_KEYS or the campaign page's token>`. */
export function bearerAuth(tokens: string[]) {
  const matches = secretMatcher(tokens);
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!matches(token)) throw unauthorized();
  };
}

/** The token the campaign page uses for /v1, derived from the board credentials (never an API key). */
export function pageToken(user: string, password: string): string {
  return createHash('sha256').update(`sobot-page\0${user}\0${password}`).digest('base64url');
}
