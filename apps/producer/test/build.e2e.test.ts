/**
 * The production build (`pnpm build`): the producer, worker, sandbox and CLI compiled to JavaScript and run
 * with plain `node apps/<app>/dist/main.js` (no tsx anywhere) against a Redis of the test's own.
 *  - A campaign uploaded through the built CLI completes with every number sent once: the Lua scripts the
 *    store reads at run time were found beside the worker's and the producer's bundles.
 *  - The campaign page's files (read at run time too) and the OpenAPI page are served by the built producer.
 *  - Every package a bundle leaves to `require` is declared in its app's own package.json, so an install of
 *    that app's production dependencies is enough to run it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  REPO_ROOT,
  freePort,
  spawnApp,
  startTestRedis,
  waitFor,
  waitForHttp,
  type AppProcess,
  type TestRedis,
} from '@sobot/devkit';

const run = promisify(execFile);
const APPS = ['producer', 'worker', 'sandbox', 'cli'] as const;
const TOKEN = 'k-build-test';
const BOARD = `Basic ${Buffer.from('ops:board-pass').toString('base64')}`;
const NUMBERS = ['919970700001', '919970700002', '919970700003'];

/** `node apps/<app>/dist/main.js` through devkit (an entry ending in .js runs without tsx). */
function startBuilt(app: (typeof APPS)[number], env: Record<string, string>): AppProcess {
  const proc = spawnApp(`apps/${app}/dist/main.js`, { NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env });
  expect(proc.child.spawnargs.slice(1)).toEqual([`apps/${app}/dist/main.js`]);
  return proc;
}

let redis: TestRedis;
let dir: string;
let api: string;
let sandboxUrl: string;
const started: AppProcess[] = [];

beforeAll(async () => {
  await run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=./apps/*', '--output-logs=errors-only'], {
    cwd: REPO_ROOT,
  });
  dir = await mkdtemp(join(tmpdir(), 'sobot-build-'));
  redis = await startTestRedis();
  const [sandboxPort, port] = [await freePort(), await freePort()];
  sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  api = `http://127.0.0.1:${port}`;
  const common = { REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix };
  started.push(
    startBuilt('sandbox', { SANDBOX_PORT: String(sandboxPort), SOBOT_API_KEY: 'key', SOBOT_API_SECRET: 'secret' }),
    startBuilt('producer', {
      ...common,
      PORT: String(port),
      HOST: '127.0.0.1',
      API_KEYS: TOKEN,
      BOARD_USER: 'ops',
      BOARD_PASSWORD: 'board-pass',
    }),
    startBuilt('worker', {
      ...common,
      SOBOT_API_URL: sandboxUrl,
      SOBOT_API_KEY: 'key',
      SOBOT_API_SECRET: 'secret',
      SEND_RATE: '100',
    }),
  );
  await Promise.all([waitForHttp(`${sandboxUrl}/_sandbox/health`), waitForHttp(`${api}/readyz`)]).catch(
    (err: unknown) => {
      throw new Error(`${String(err)}\n${started.map((s) => s.output()).join('\n')}`);
    },
  );
}, 120_000);

afterAll(async () => {
  for (const s of started.reverse()) await s.stop('SIGTERM');
  await redis?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a campaign uploaded with the built CLI is sent by the built worker through the built sandbox', async () => {
  const file = join(dir, 'customers.csv');
  await writeFile(file, `phone,name\n${NUMBERS.map((n, i) => `${n},C${i}`).join('\n')}\n`);
  const cli = await run(
    process.execPath,
    [
      'apps/cli/dist/main.js',
      '--json',
      'upload',
      file,
      '--image-url',
      `${sandboxUrl}/images/sample.jpg`,
      '--watch',
      '--interval',
      '200',
    ],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH, SOBOT_BULK_API: api, SOBOT_BULK_TOKEN: TOKEN }, timeout: 60_000 },
  );
  const out = JSON.parse(cli.stdout) as { accepted: number; campaign: { status: string; counts: { sent: number } } };
  expect(out).toMatchObject({ accepted: 3, campaign: { status: 'completed', counts: { sent: 3 } } });

  const stats = await waitFor(
    async () => {
      const s = (await (await fetch(`${sandboxUrl}/_sandbox/stats`)).json()) as { byNumber: Record<string, number> };
      return Object.keys(s.byNumber).length === NUMBERS.length ? s : undefined;
    },
    { what: 'the sandbox to have every number' },
  );
  expect(stats.byNumber).toEqual(Object.fromEntries(NUMBERS.map((n) => [n, 1])));
});

test('the built producer serves the campaign page files and the API docs', async () => {
  const page = await fetch(`${api}/ui`, { headers: { authorization: BOARD } });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).not.toContain('api-token');
  expect(page.headers.get('set-cookie')).toMatch(/^sobot_page=.+; HttpOnly; SameSite=Strict/);
  const source = readFileSync(join(REPO_ROOT, 'apps/producer/src/ui/app.js'), 'utf8');
  const script = await fetch(`${api}/ui/app.js`, { headers: { authorization: BOARD } });
  expect(await script.text()).toBe(source);
  const css = await fetch(`${api}/ui/app.css`, { headers: { authorization: BOARD } });
  expect(css.status).toBe(200);
  expect((await fetch(`${api}/docs/json`)).status).toBe(200);
});

test("every package a bundle requires is a dependency in its app's package.json", () => {
  const builtin = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  for (const app of APPS) {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', app, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const meta = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', app, 'dist', 'metafile-cjs.json'), 'utf8')) as {
      outputs: Record<string, { imports?: Array<{ path: string; external?: boolean }> }>;
    };
    const external = Object.values(meta.outputs)
      .flatMap((o) => o.imports ?? [])
      .filter((i) => i.external && !builtin.has(i.path))
      .map((i) => (i.path.startsWith('@') ? i.path.split('/').slice(0, 2) : i.path.split('/').slice(0, 1)).join('/'));
    const undeclared = [...new Set(external)].filter((name) => !manifest.dependencies?.[name]);
    expect({ app, undeclared }).toEqual({ app, undeclared: [] });
    // Workspace packages are compiled into the bundle: nothing requires their TypeScript at run time.
    expect({ app, workspace: external.filter((name) => name.startsWith('@sobot/')) }).toEqual({ app, workspace: [] });
  }
});
