/**
 * Webhook flood (issue 14 finding 6): what one body of N unknown wamids costs the producer and Redis.
 *
 *   npx tsx bench/webhook-flood.ts [events=200000] [parallel=1] [caps=raised|default]
 *
 * Starts its own redis-server and producer (WEBHOOK_TOKEN set, WEBHOOK_MAX_BYTES and WEBHOOK_MAX_EVENTS
 * raised so the body is accepted, unless `default` is given), posts `parallel` bodies of `events` flat status
 * events for wamids nobody sent, and prints the wall time, the Redis commands they cost (INFO commandstats) and the
 * producer's RSS (VmRSS before, VmHWM peak).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { request } from 'undici';
import { freePort, spawnApp, startRedisServer, waitForHttp } from '../packages/devkit/src';
import { procMemMiB } from './lib/measure';

const HOOK_TOKEN = 'flood-token';

/** Calls per command since the last CONFIG RESETSTAT. */
async function commandStats(redis: IORedis): Promise<Map<string, number>> {
  const stats = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m?.[1] && m[2]) stats.set(m[1], Number(m[2]));
  }
  return stats;
}

function floodBody(events: number, seed: number): string {
  const list = Array.from({ length: events }, (_, i) => ({
    id: `wamid.${seed}${i.toString(36).padStart(6, '0')}`,
    status: 'read',
  }));
  return JSON.stringify(list);
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 200_000);
  const parallel = Number(process.argv[3] ?? 1);
  const caps =
    process.argv[4] === 'default' ? {} : { WEBHOOK_MAX_BYTES: String(64 * 2 ** 20), WEBHOOK_MAX_EVENTS: '10000000' };
  const dir = mkdtempSync(join(tmpdir(), 'sobot-flood-'));
  const server = await startRedisServer({ dir: join(dir, 'redis'), appendonly: false });
  const redis = new IORedis(server.url, { maxRetriesPerRequest: null });
  const port = await freePort();
  const producer = spawnApp('producer', {
    REDIS_URL: server.url,
    REDIS_PREFIX: 'flood',
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: 'flood-api-key',
    WEBHOOK_TOKEN: HOOK_TOKEN,
    ...caps,
    LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/readyz`, 60_000);
    const bodies = Array.from({ length: parallel }, (_, i) => floodBody(events, i));
    const rssBefore = procMemMiB(producer.pid, 'VmRSS');
    await redis.config('RESETSTAT');
    const started = performance.now();
    const answers = await Promise.all(
      bodies.map(async (body) => {
        try {
          const res = await request(`${url}/v1/webhooks/sobot?token=${HOOK_TOKEN}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            headersTimeout: 600_000,
            bodyTimeout: 600_000,
          });
          return { status: String(res.statusCode), body: (await res.body.text()).slice(0, 200) };
        } catch (err) {
          // A body refused early (413 on Content-Length) closes the connection while the client still writes.
          return { status: (err as NodeJS.ErrnoException).code ?? 'error', body: '(connection closed)' };
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const stats = await commandStats(redis);
    const total = [...stats.entries()].filter(([name]) => name !== 'info' && name !== 'config');
    const calls = total.reduce((sum, [, n]) => sum + n, 0);
    const top = total
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    const peak = procMemMiB(producer.pid, 'VmHWM');
    const mb = (Buffer.byteLength(bodies[0] ?? '') / 1e6).toFixed(1);
    process.stdout.write(
      `${parallel} × ${events} unknown wamids (${mb} MB each): answers ${answers.map((a) => a.status).join(',')} ` +
        `${answers[0]?.body ?? ''}\n` +
        `wall ${seconds.toFixed(2)} s; Redis commands ${calls} (${top}); ` +
        `producer RSS ${rssBefore.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB\n`,
    );
  } finally {
    await producer.stop();
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
