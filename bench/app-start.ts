/**
 * `tsx bench/app-start.ts [rounds]`: start time and peak RSS of each app, from source through tsx
 * (`node --import tsx apps/<app>/src/main.ts`, how the apps ran before the production build) and built
 * (`node apps/<app>/dist/main.js`), side by side in one run, the two alternating round by round.
 *
 * Start time: spawn → the app's ready line (producer "Server listening", worker "worker started", sandbox
 * "sandbox listening"); for the CLI, spawn → exit of `sobot list` against the producer. Peak RSS: the
 * maximum resident set of the node process over its whole life (GNU time's %M, from wait4), the servers
 * stopped with SIGTERM half a second after their ready line. Run `pnpm build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, startTestRedis, waitForHttp, type TestRedis } from '@sobot/devkit';

const ROOT = resolve(__dirname, '..');
const ROUNDS = Number(process.argv[2] ?? 5);
const TOKEN = 'bench-token';

type App = 'producer' | 'worker' | 'sandbox' | 'cli';
type Mode = 'tsx' | 'dist';
interface Sample {
  startMs: number;
  peakRssMb: number;
}

const READY: Record<Exclude<App, 'cli'>, RegExp> = {
  producer: /Server listening/,
  worker: /"msg":"worker started"/,
  sandbox: /"msg":"sandbox listening"/,
};

const entry = (app: App, mode: Mode) =>
  mode === 'tsx' ? ['--import', 'tsx', `apps/${app}/src/main.ts`] : [`apps/${app}/dist/main.js`];

/** The node process GNU time started (its only child). */
function childOf(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** One run of `app`: spawn under GNU time, wait for ready (or exit), stop, read time's max RSS. */
async function measure(app: App, mode: Mode, env: Record<string, string>, args: string[] = []): Promise<Sample> {
  const started = performance.now();
  const timed = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, ...entry(app, mode), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let readyAt: number | undefined;
  const ready = app === 'cli' ? undefined : READY[app];
  const onData = (d: Buffer) => {
    out += d.toString();
    if (readyAt === undefined && ready?.test(out)) readyAt = performance.now();
  };
  timed.stdout.on('data', onData);
  timed.stderr.on('data', onData);
  const exited = new Promise<number | null>((r) => timed.once('exit', (code) => r(code)));
  if (ready) {
    const deadline = Date.now() + 60_000;
    while (readyAt === undefined) {
      if (timed.exitCode !== null || Date.now() > deadline)
        throw new Error(`${app} (${mode}) never got ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 500));
    const node = childOf(timed.pid ?? -1);
    if (node) process.kill(node, 'SIGTERM');
  }
  const code = await exited;
  const end = readyAt ?? performance.now();
  const rss = /maxrss_kb=(\d+)/.exec(out)?.[1];
  if (!rss || (app === 'cli' && code !== 0)) throw new Error(`${app} (${mode}) exited ${code}:\n${out}`);
  return { startMs: end - started, peakRssMb: Number(rss) / 1024 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  for (const app of ['producer', 'worker', 'sandbox', 'cli'] as const)
    if (!existsSync(resolve(ROOT, `apps/${app}/dist/main.js`))) throw new Error(`apps/${app}/dist: run pnpm build`);
  const redis: TestRedis = await startTestRedis();
  const common = { REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix };
  const envs: Record<Exclude<App, 'cli'>, () => Promise<Record<string, string>>> = {
    producer: async () => ({ ...common, PORT: String(await freePort()), HOST: '127.0.0.1', API_KEYS: TOKEN }),
    worker: async () => ({ ...common, SOBOT_API_URL: 'http://127.0.0.1:9', SOBOT_API_KEY: 'k', SOBOT_API_SECRET: 's' }),
    sandbox: async () => ({ SANDBOX_PORT: String(await freePort()) }),
  };
  // The CLI asks a running (built) producer for its campaigns.
  const port = await freePort();
  const producer = spawn(process.execPath, ['apps/producer/dist/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...common, PORT: String(port), HOST: '127.0.0.1', API_KEYS: TOKEN },
    stdio: 'ignore',
  });
  const cliEnv = { SOBOT_BULK_API: `http://127.0.0.1:${port}`, SOBOT_BULK_TOKEN: TOKEN };
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      // Alternate which mode goes first, so neither always runs on a warmer page cache.
      const modes: Mode[] = round % 2 ? ['dist', 'tsx'] : ['tsx', 'dist'];
      for (const app of ['producer', 'worker', 'sandbox', 'cli'] as const) {
        for (const mode of modes) {
          const s =
            app === 'cli' ? await measure(app, mode, cliEnv, ['list']) : await measure(app, mode, await envs[app]());
          samples.set(`${app}/${mode}`, [...(samples.get(`${app}/${mode}`) ?? []), s]);
        }
      }
    }
    const lines = [
      `${ROUNDS} rounds, medians (min–max); node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      '| app | start, tsx (ms) | start, node dist (ms) | dist / tsx ' +
        '| peak RSS, tsx (MB) | peak RSS, node dist (MB) | dist / tsx |',
      '|---|---:|---:|---:|---:|---:|---:|',
    ];
    const cell = (xs: number[]) =>
      `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    for (const app of ['producer', 'worker', 'sandbox', 'cli'] as const) {
      const tsx = samples.get(`${app}/tsx`)!;
      const dist = samples.get(`${app}/dist`)!;
      const start = [tsx, dist].map((s) => s.map((x) => x.startMs));
      const rss = [tsx, dist].map((s) => s.map((x) => x.peakRssMb));
      const ratio = ([tsxs, dists]: number[][]) => (median(dists!) / median(tsxs!)).toFixed(2);
      const name = app === 'cli' ? 'cli (`list`, to exit)' : app;
      lines.push(
        `| ${name} | ${cell(start[0]!)} | ${cell(start[1]!)} | ${ratio(start)} ` +
          `| ${cell(rss[0]!)} | ${cell(rss[1]!)} | ${ratio(rss)} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    producer.kill('SIGTERM');
    await new Promise((r) => producer.once('exit', r));
    await redis.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
