/**
 * The SDK as its users get it: `pnpm pack` (which builds dist/), the tarball unpacked into a temporary
 * project's node_modules, and then
 *  - the README's example, copied from README.md into `example.mts`, type-checked against the packed
 *    declarations and run with tsx against a real producer, worker and sandbox (devkit `startSystem`);
 *  - `require('@sobot/client')` (CommonJS) and `import('@sobot/client')` (ESM) under plain node.
 * Assertions are on what the example printed, what the sandbox received and the report file it wrote.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startSystem, startTestRedis, type System, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';

const run = promisify(execFile);
const PACKAGE_DIR = resolve(__dirname, '..');
const binOf = (pkg: string, name: string) => {
  const manifest = require.resolve(`${pkg}/package.json`);
  const bin = (require(manifest) as { bin: string | Record<string, string> }).bin;
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin[name]!);
};

const NUMBERS = ['919970600001', '919970600002', '919970600003'];
const MESSAGE_NUMBER = '919970585556';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let dir: string;
let manifest: Record<string, unknown>;

/** The first ```ts block of the README: the example users copy. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```ts example');
  return block;
}

/** `pnpm pack` into `dir`, unpacked as `dir/node_modules/@sobot/client`; resolves with its package.json. */
async function packInto(dir: string): Promise<Record<string, unknown>> {
  await run('pnpm', ['pack', '--pack-destination', dir], { cwd: PACKAGE_DIR });
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('pnpm pack wrote no tarball');
  const scope = join(dir, 'node_modules', '@sobot');
  await mkdir(scope, { recursive: true });
  await run('tar', ['-xzf', join(dir, tarball), '-C', scope]);
  await rename(join(scope, 'package'), join(scope, 'client'));
  return JSON.parse(await readFile(join(scope, 'client', 'package.json'), 'utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sobot-sdk-package-'));
  const packed = packInto(dir);
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 5 } });
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    env: { LOG_LEVEL: 'warn' },
  });
  manifest = await packed;
}, 120_000);

afterAll(async () => {
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the packed package: dist entries for import and require; needs no workspace package, no zod', async () => {
  expect(manifest).toMatchObject({
    name: '@sobot/client',
    main: './dist/index.js',
    module: './dist/index.mjs',
    types: './dist/index.d.ts',
    exports: {
      '.': {
        import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
        require: { types: './dist/index.d.ts', default: './dist/index.js' },
      },
    },
  });
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(manifest.peerDependencies ?? {}).toEqual({});
  const dist = join(dir, 'node_modules', '@sobot', 'client', 'dist');
  for (const file of await readdir(dist)) {
    if (file.endsWith('.map')) continue;
    const code = await readFile(join(dist, file), 'utf8');
    expect({ file, imports: code.match(/(from |require\()['"](@sobot\/[^'"]+|zod)['"]/g) }).toEqual({
      file,
      imports: null,
    });
  }
});

test('the README example type-checks against the packed types and runs as written', async () => {
  await writeFile(join(dir, 'example.mts'), await readmeExample());
  await writeFile(
    join(dir, 'customers.csv'),
    ['customer_number,customer_name', ...NUMBERS.map((n, i) => `${n},Customer ${i + 1}`), '12,Too short', ''].join(
      '\n',
    ),
  );
  // The types a user's compiler sees: nodenext resolution through the exports map, strict.
  const tsc = await run(
    process.execPath,
    [
      binOf('typescript', 'tsc'),
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--typeRoots',
      resolve(require.resolve('@types/node/package.json'), '..', '..'),
      'example.mts',
    ],
    { cwd: dir },
  ).catch((err: { stdout?: string }) => ({ stdout: `tsc failed: ${err.stdout ?? String(err)}` }));
  expect(tsc.stdout).toBe('');

  sandbox.reset();
  const { stdout } = await run(process.execPath, [binOf('tsx', 'tsx'), 'example.mts'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SOBOT_BULK_API: sys.url, SOBOT_BULK_TOKEN: sys.token },
    timeout: 60_000,
  });
  expect(stdout).toMatch(/^campaign c[0-9a-z]{15}: 3 accepted, 1 rejected$/m);
  expect(stdout).toMatch(/^completed: 3 sent, 0 failed$/m);
  expect(stdout).toMatch(/^message c[0-9a-z]{15}-0$/m);
  expect(stdout).toMatch(/^404 NOT_FOUND$/m);

  const report = (await readFile(join(dir, 'report.csv'), 'utf8')).trimEnd().split('\r\n');
  expect(report).toHaveLength(1 + NUMBERS.length);
  // Numbers are the plain digits (SPEC §17).
  expect(report.slice(1).map((l) => l.split(',')[0])).toEqual(NUMBERS);
  // Every recipient, and the one message, reached the upstream exactly once, with the wamid in the report.
  const { byNumber, wamids } = sandbox.stats();
  expect(byNumber).toEqual(Object.fromEntries([...NUMBERS, MESSAGE_NUMBER].map((n) => [n, 1])));
  for (const line of report.slice(1)) {
    const [number = '', , status, wamid] = line.split(',');
    expect({ number, status, wamid }).toEqual({ number, status: 'sent', wamid: wamids[number]?.[0] });
  }
});

test('plain node loads the CommonJS build through require and the ESM build through import', async () => {
  const env = { PATH: process.env.PATH, SOBOT_BULK_API: sys.url, SOBOT_BULK_TOKEN: sys.token };
  const script = (load: string) => `${load}
const client = new sdk.SobotBulkClient({ baseUrl: process.env.SOBOT_BULK_API, token: process.env.SOBOT_BULK_TOKEN });
client.listCampaigns().then((list) => console.log(JSON.stringify({ entry, campaigns: list.campaigns.length })));`;
  await writeFile(
    join(dir, 'check.cjs'),
    script("const sdk = require('@sobot/client'); const entry = require.resolve('@sobot/client');"),
  );
  await writeFile(
    join(dir, 'check.mjs'),
    script("import * as sdk from '@sobot/client'; const entry = import.meta.resolve('@sobot/client');"),
  );
  const cjs = JSON.parse((await run(process.execPath, ['check.cjs'], { cwd: dir, env })).stdout) as {
    entry: string;
    campaigns: number;
  };
  const esm = JSON.parse((await run(process.execPath, ['check.mjs'], { cwd: dir, env })).stdout) as typeof cjs;
  expect(cjs.entry).toMatch(/node_modules\/@sobot\/client\/dist\/index\.js$/);
  expect(esm.entry).toMatch(/node_modules\/@sobot\/client\/dist\/index\.mjs$/);
  // Both talk to the same API and see the README example's campaign.
  expect(cjs.campaigns).toBeGreaterThanOrEqual(1);
  expect(esm.campaigns).toBe(cjs.campaigns);
});
