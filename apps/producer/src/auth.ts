import { createHash, timingSafeEqual } from 'node:crypto';
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
