import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import pino from 'pino';
import { waitFor } from '@sobot/devkit';
import { StoreFullError } from '@sobot/store';
import { commitCampaign, numbers, startRig, type SendingRig } from './helpers';

/** Issue 14, finding 1: Redis full (maxmemory, noeviction) in the middle of a campaign. */
let rig: SendingRig;
const lines: string[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  }),
);

const redisCli = (...args: string[]) => {
  const r = spawnSync('redis-cli', ['-u', rig.redis.url, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

beforeAll(async () => {
  rig = await startRig({ log, sendRate: 300, concurrency: 20, redis: { own: true } }); // CONFIG SET maxmemory
});

afterAll(async () => {
  if (rig?.redis.server) redisCli('CONFIG', 'SET', 'maxmemory', '0');
  await rig?.close();
});

test(
  'the worker waits out a full Redis ' + 'and records every outcome and wamid once Redis takes writes again',
  async () => {
    if (!rig.redis.server) return; // needs a redis-server of its own (not REDIS_URL)
    const { store, sandbox, image } = rig;
    const count = 1_500;
    const id = await commitCampaign(rig, numbers('9199722', count));
    await waitFor(() => sandbox.stats().accepted >= 200, { what: '200 sends' });

    // Redis is full: every write is refused with OOM.
    redisCli('CONFIG', 'SET', 'maxmemory', '1');
    await expect(
      store.newCampaign({ image_url: image }).commit({
        name: 'refused',
        source: 'upload',
        defaults: { image_url: image },
        total: 0,
        rejected: 0,
        duplicates: 0,
      }),
    ).rejects.toBeInstanceOf(StoreFullError);
    expect(await store.health()).toMatchObject({ ok: false, code: 'STORE_FULL' });
    // The worker stops sending (its permits wait for outcome writes) and logs about it, briefly.
    await waitFor(() => lines.some((l) => l.includes('Redis is out of memory')), { what: 'the store-full log line' });
    const sentWhileFull = sandbox.stats().total;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sandbox.stats().total - sentWhileFull).toBeLessThanOrEqual(20);

    redisCli('CONFIG', 'SET', 'maxmemory', '0');
    const done = await waitFor(
      async () => {
        const v = await store.campaigns.view(id);
        return v?.status === 'completed' ? v : undefined;
      },
      { timeoutMs: 60_000, what: 'the campaign to complete' },
    );
    expect(done.counts).toMatchObject({ sent: count, failed: 0, pending: 0 });
    // Every number was sent once, and every wamid the API returned is in the webhook index.
    const stats = sandbox.stats();
    expect(Object.keys(stats.byNumber)).toHaveLength(count);
    expect(Object.values(stats.byNumber).every((n) => n === 1)).toBe(true);
    const wamids = Object.values(stats.wamids).flat();
    const results = await Promise.all(
      wamids.map((wamid) => store.deliveries.record({ wamid, status: 'delivered', at: Date.now() })),
    );
    expect(results.filter((r) => r === 'unknown')).toHaveLength(0);
    // Logged at most about once a second, never with a script's source or a command's arguments.
    const trouble = lines.filter((l) => l.includes('Redis is out of memory'));
    expect(trouble.length).toBeLessThanOrEqual(10);
    expect(lines.join('\n')).not.toMatch(/redis\.call|9199722\d{5}/);
  },
);
