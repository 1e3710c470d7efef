import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { PageSessions } from '@sobot/store';
import { cookieValue, PAGE_COOKIE, PAGE_SESSION_MS, pageCookie } from '../auth';
import { registerBasicAuth, type AuthFailures } from '../board';

/** The page loads nothing but these few files and the /v1 API: no CDN, no inline script or style. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const read = (file: string) => readFileSync(join(__dirname, file), 'utf8');

/**
 * The campaign page at /ui (SPEC §5, §22), behind the board's basic auth. Each load of the page starts a session: a
 * random id in an HttpOnly, SameSite=Strict cookie for /v1 (Secure over https), kept in Redis for PAGE_SESSION_MS.
 * The page calls /v1 with that cookie; its source holds no token.
 */
export async function uiPlugin(
  app: FastifyInstance,
  opts: { user: string; password: string; sessions: PageSessions; failures?: AuthFailures },
): Promise<void> {
  await registerBasicAuth(app, opts.user, opts.password, opts.failures);
  // The app's error handler answers every 401 with `WWW-Authenticate: Bearer` (right for /v1). Here
  // basic-auth's own `Basic realm=…` challenge must reach the browser, or it never asks for a password.
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.statusCode !== 401) throw err;
    return reply
      .code(401)
      .send({ error: { code: 'UNAUTHORIZED', message: 'the campaign page needs the board user and password' } });
  });
  const files = [
    { url: '/ui', type: 'text/html; charset=utf-8', body: read('index.html') },
    { url: '/ui/app.js', type: 'text/javascript; charset=utf-8', body: read('app.js') },
    { url: '/ui/events.js', type: 'text/javascript; charset=utf-8', body: read('events.js') },
    { url: '/ui/app.css', type: 'text/css; charset=utf-8', body: read('app.css') },
  ];
  for (const f of files) {
    app.get(f.url, { schema: { hide: true } }, async (req, reply) => {
      if (f.url === '/ui') {
        const id = await opts.sessions.create(PAGE_SESSION_MS);
        void reply.header('set-cookie', pageCookie(id, req.protocol === 'https'));
      }
      return (
        reply
          .type(f.type)
          // The page's answer sets a session cookie: never kept by a cache; the assets are tiny, so neither are they.
          .header('cache-control', 'no-store')
          .header('content-security-policy', CSP)
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .send(f.body)
      );
    });
  }
  app.get('/ui/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui'));
}

/**
 * `DELETE /v1/page-session`: the page's logout, registered among the /v1 routes (so behind their auth: a valid
 * session from this origin). Ends the session in Redis and clears the cookie; with an API key it does nothing.
 */
export async function pageSessionRoutes(app: FastifyInstance, opts: { sessions: PageSessions }): Promise<void> {
  app.delete('/v1/page-session', { schema: { hide: true } }, async (req, reply) => {
    const id = cookieValue(req.headers.cookie, PAGE_COOKIE);
    if (id && !req.headers.authorization) await opts.sessions.end(id);
    return reply
      .header('set-cookie', pageCookie('', req.protocol === 'https', 0))
      .code(204)
      .send();
  });
}
