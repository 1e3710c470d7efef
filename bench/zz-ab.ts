import { mkdtempSync } from 'node:fs';
import IORedis from 'ioredis';
import { createLogger } from '../packages/config/src';
import { startRedisServer } from '../packages/devkit/src';
import { Store } from '../packages/store/src';
import { suppressionList } from './suppression-memory';
async function main() {
  const server = await startRedisServer({ dir: mkdtempSync('/tmp/aud/ab'), appendonly: false });
  const raw = new IORedis(server.url);
  const N = 500_000;
  const list = suppressionList(1_000_000, N);
  for (let round = 0; round < 3; round++) {
    for (const withList of [false, true, true, false]) {
      await raw.flushall();
      const store = Store.open({ url: server.url, prefix: 'ab', resultTtlDays: 1 }, createLogger('ab', 'silent'));
      if (withList) await list.load(store);
      const t = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const w = store.newCampaign({ image_url: 'https://x.example/a.jpg' }, undefined, { suppression: true, window: true });
      for (let i = 0; i < N; i++) {
        const r = w.add({ type: 'image', url: 'https://x.example/a.jpg', mime_type: 'image/jpeg', customer_number: String(917_000_000_000 + i), customer_name: `C${i}` });
        if (r) await r;
      }
      await w.commit({ name: 'ab', source: 'upload', defaults: { image_url: 'https://x.example/a.jpg' }, total: N, rejected: 0, duplicates: 0 });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const c = process.cpuUsage(cpu);
      console.log(`${withList ? 'with list' : 'no list  '} ${ms.toFixed(0)} ms, node cpu ${((c.user + c.system) / 1000).toFixed(0)} ms, suppressed ${w.suppressed}`);
      await store.close();
    }
  }
  raw.disconnect();
  await server.stop();
}
void main();
