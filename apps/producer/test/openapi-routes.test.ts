/**
 * The OpenAPI document is made from the routes' own schemas (@fastify/swagger): this walks every route the app
 * registered and fails when one is missing from /docs/json or is documented without its path parameters,
 * request body or answers; and the document must be valid OpenAPI 3 (an independent parser). No Redis is needed:
 * the app is built over an address nobody listens on and only its document is read.
 */
import { compileErrors, validate } from '@readme/openapi-parser';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { createLogger } from '@sobot/config';
import { freePort } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { buildApp, registeredRoutes } from '../src/app';
import { producerConfigSchema } from '../src/config';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Pages that are not the API: the docs themselves, Bull Board and the campaign page with its session. Their
 * routes say `schema: { hide: true }`; a hidden route anywhere else fails the test (an API route cannot hide).
 */
const NOT_API = ['/docs', '/admin/queues', '/ui', '/v1/page-session'];

let app: FastifyInstance;
let store: Store;
let spec: Json;

beforeAll(async () => {
  const cfg = producerConfigSchema.parse({
    API_KEYS: 'k',
    BOARD_USER: 'ops',
    BOARD_PASSWORD: 'board-pass',
    WEBHOOK_TOKEN: 't',
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    LOG_LEVEL: 'silent',
  });
  store = Store.open(
    { url: cfg.REDIS_URL!, prefix: 'openapi-routes', resultTtlDays: 1, failFast: true },
    createLogger('store', 'silent'),
  );
  app = await buildApp({ cfg, store });
  spec = (await app.inject('/docs/json')).json();
});

afterAll(async () => {
  await app?.close();
  await store?.close().catch(() => undefined);
});

/** `METHOD /openapi/{path}` of each method of each registered route (HEAD is fastify's echo of GET). */
function operations(route: RouteOptions): Array<{ method: string; path: string }> {
  const methods = ([] as string[]).concat(route.method).filter((m) => m !== 'HEAD');
  const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return methods.map((method) => ({ method: method.toLowerCase(), path }));
}

const hidden = (route: RouteOptions) => (route.schema as { hide?: boolean } | undefined)?.hide === true;
const isApi = (url: string) => !NOT_API.some((prefix) => url === prefix || url.startsWith(`${prefix}/`));

test('the document is valid OpenAPI 3', async () => {
  expect(spec.openapi).toMatch(/^3\./);
  const result = await validate(structuredClone(spec) as Parameters<typeof validate>[0]);
  if (!result.valid) throw new Error(compileErrors(result));
  expect(result.warnings).toEqual([]);
});

test('every route the app serves is in the document, with its parameters, body and answers', () => {
  const routes = registeredRoutes(app);
  const api = routes.filter((r) => isApi(r.url));
  // Enough routes to be sure the walk saw the app (every plugin registers through the hook).
  expect(api.length).toBeGreaterThanOrEqual(25);
  const problems: string[] = [];
  for (const route of api) {
    for (const { method, path } of operations(route)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (hidden(route)) {
        problems.push(`${where}: hidden from the document`);
        continue;
      }
      const op = spec.paths?.[path]?.[method] as Json | undefined;
      if (!op) {
        problems.push(`${where}: not in the document`);
        continue;
      }
      if (!op.summary) problems.push(`${where}: no summary`);
      const declared = new Set(
        ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p) => p.name as string),
      );
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!declared.has(name!)) problems.push(`${where}: path parameter ${name} not described`);
      }
      if ((route.schema as Json | undefined)?.body && !op.requestBody) problems.push(`${where}: no request body`);
      const statuses = Object.keys(op.responses ?? {});
      if (!statuses.some((s) => /^2\d\d$/.test(s))) problems.push(`${where}: no success answer`);
      if (!statuses.includes('500')) problems.push(`${where}: no 500 answer`);
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const schema = op.responses[status].content?.['application/json']?.schema;
        if (schema?.$ref !== '#/components/schemas/ApiError') problems.push(`${where} ${status}: not the error shape`);
      }
      // Behind the bearer token unless it says otherwise (the webhook and the probes).
      const security = op.security ?? spec.security;
      if (security.length > 0 && path.startsWith('/v1/') && !statuses.includes('401')) {
        problems.push(`${where}: authenticated but no 401 answer`);
      }
    }
  }
  expect(problems).toEqual([]);
});

test('nothing in the document is a route the app does not serve', () => {
  const served = new Set(registeredRoutes(app).flatMap((r) => operations(r).map((o) => `${o.method} ${o.path}`)));
  const documented = Object.entries(spec.paths as Json).flatMap(([path, item]) =>
    Object.keys(item as Json).map((method) => `${method} ${path}`),
  );
  expect(documented.filter((op) => !served.has(op))).toEqual([]);
});
