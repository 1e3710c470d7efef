/**
 * What an aborted upload costs (issue 14, finding 2): a client sends half of a 300k-row CSV and goes away.
 * Starts its own redis-server and the producer of the checkout given (default: this one) as a process, and prints
 * the keys, Redis memory and producer RSS left after the abort, and when the upload's handler ended.
 *
 *   pnpm exec tsx bench/aborted-upload.ts [--repo <checkout>] [--rows 300000] [--share 0.5] [--aborts 1]
 *
 * `--repo` may be another worktree (an older commit, to compare): its producer runs with its own code.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const repo = resolve(arg('repo', resolve(__dirname, '..')));
const rows = Number(arg('rows', '300000'));
const share = Number(arg('share', '0.5'));
const aborts = Number(arg('aborts', '1'));
const TOKEN = 'bench-abort';
const PREFIX = 'bench';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
}
const dbsize = (port: number) => Number(cli(port, 'dbsize'));
const usedMemory = (port: number) => Number(/used_memory:(\d+)/.exec(cli(port, 'info', 'memory'))?.[1] ?? NaN);
const rssMb = (pid: number) => {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

/** Sends the header and `share` of `rows` rows, then destroys the request; resolves when destroyed. */
async function abortedUpload(port: number, redisPort: number, log: () => string) {
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: `/v1/campaigns?image_url=${encodeURIComponent('https://cdn.example.com/a.jpg')}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
  });
  req.on('error', () => undefined);
  const send = Math.floor(rows * share);
  const keysBefore = dbsize(redisPort);
  req.write('phone,name\n');
  for (let i = 0; i < send; i += 5_000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(send, i + 5_000); j += 1) lines.push(`9198${String(j).padStart(8, '0')},Name ${j}\n`);
    if (!req.write(lines.join(''))) await new Promise((r) => req.once('drain', r));
  }
  // The producer has read what was sent once its staged chunks stop growing (200 rows a chunk).
  const expected = Math.floor(send / 200) * 0.95;
  await waitUntil(() => dbsize(redisPort) - keysBefore >= expected, 60_000);
  const mark = log().length;
  const staged = { keys: dbsize(redisPort), memory: usedMemory(redisPort) };
  req.destroy();
  return { mark, staged };
}

async function main(): Promise<void> {
  const redisPort = await freePort();
  const redis: ChildProcess = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  let producer: ChildProcess | undefined;
  try {
    await waitUntil(() => cli(redisPort, 'ping') === 'PONG', 10_000);
    producer = spawn(process.execPath, ['--import', 'tsx', 'apps/producer/src/main.ts'], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        REDIS_PREFIX: PREFIX,
        PORT: String(port),
        HOST: '127.0.0.1',
        API_KEYS: TOKEN,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    producer.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    producer.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const up = await waitUntil(() => out.includes('listening') || out.includes('Server listening'), 60_000);
    if (!up) throw new Error(`the producer did not start:\n${out}`);
    await sleep(500);
    const pid = producer.pid!;
    const base = { keys: dbsize(redisPort), memory: usedMemory(redisPort), rss: rssMb(pid) };
    const head = `${repo} @ ${spawnSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']).stdout.toString().trim()}`;
    console.log(`aborted upload: ${head}; ${rows} rows, client drops at ${share * 100}%, ${aborts} time(s)`);
    console.log(
      `  before: ${base.keys} keys, Redis ${(base.memory / 2 ** 20).toFixed(1)} MiB, RSS ${base.rss.toFixed(0)} MB`,
    );
    let peakRss = base.rss;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 100);
    for (let a = 0; a < aborts; a += 1) {
      const { mark, staged: atAbort } = await abortedUpload(port, redisPort, () => out);
      const t0 = Date.now();
      // The handler has ended when it logs its end (today: "upload ended"; before: any line of that request).
      const ended = await waitUntil(() => /upload ended|"reqId"/.test(out.slice(mark)), 30_000);
      const endMs = ended ? Date.now() - t0 : undefined;
      if (process.env.BENCH_DEBUG) console.log(out.slice(mark).slice(0, 3000));
      await sleep(Math.max(0, 1_000 - (Date.now() - t0)));
      const after1s = { keys: dbsize(redisPort), memory: usedMemory(redisPort) };
      await sleep(4_000);
      const after5s = { keys: dbsize(redisPort), memory: usedMemory(redisPort), rss: rssMb(pid) };
      const mib = (b: number) => `${((b - base.memory) / 2 ** 20).toFixed(1)} MiB`;
      console.log(
        `  abort ${a + 1}: just before the abort ${atAbort.keys - base.keys} keys (+${mib(atAbort.memory)}); ` +
          `after 1 s ${after1s.keys - base.keys} keys (+${mib(after1s.memory)}); ` +
          `after 5 s ${after5s.keys - base.keys} keys (+${mib(after5s.memory)}); ` +
          `handler ended ${endMs === undefined ? 'not within 30 s' : `${endMs} ms after the abort`}; ` +
          `producer RSS ${after5s.rss.toFixed(0)} MB (peak ${peakRss.toFixed(0)} MB)`,
      );
    }
    clearInterval(rssTimer);
    const ttl = cli(redisPort, '--scan', '--pattern', `${PREFIX}:{c:*`).split('\n').filter(Boolean)[0];
    if (ttl) console.log(`  a key left behind expires in ${cli(redisPort, 'ttl', ttl)} s`);
  } finally {
    producer?.kill('SIGKILL');
    redis.kill('SIGKILL');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
