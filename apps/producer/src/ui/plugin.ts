import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance } from 'fastify';
import { registerBasicAuth } from '../board';

/** The page loads nothing but these three files and the /v1 API: no CDN, no inline script or style. */
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

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const read = (file: string) => readFileSync(join(__dirname, file), 'utf8');

/**
 * The campaign page at /ui (SPEC §5), behind the board's basic auth. The page calls /v1 with `token`
 * (a bearer token derived from the board credentials), handed over in `<meta name="api-token">`.
 */
export async function uiPlugin(
  app: FastifyInstance,
  opts: { user: string; password: string; token: string },
): Promise<void> {
  await registerBasicAuth(app, opts.user, opts.password);
  // The app's error handler answers every 401 with `WWW-Authenticate: Bearer` (right for /v1). Here
  // basic-auth's own `Basic realm=…` challenge must reach the browser, or it never asks for a password.
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.statusCode !== 401) throw err;
    return reply
      .code(401)
      .send({ error: { code: 'UNAUTHORIZED', message: 'the campaign page needs the board user and password' } });
  });
  const html = read('index.html').replace('{{API_TOKEN}}', escapeAttr(opts.token));
  const files = [
    { url: '/ui', type: 'text/html; charset=utf-8', body: html },
    { url: '/ui/app.js', type: 'text/javascript; charset=utf-8', body: read('app.js') },
    { url: '/ui/app.css', type: 'text/css; charset=utf-8', body: read('app.css') },
  ];
  for (const f of files) {
    app.get(f.url, { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type(f.type)
        // The HTML carries the token: never kept by a cache; the assets are tiny, so neither are they.
        .header('cache-control', 'no-store')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(f.body),
    );
  }
  app.get('/ui/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui'));
}
