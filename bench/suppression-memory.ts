/**
 * `npx tsx bench/suppression-memory.ts [N]`: Redis bytes per suppressed number (INFO used_memory before and
 * after suppressing N numbers, default 1,000,000, through store.audience on a fresh redis-server), the time
 * the load took and the time a lookup of 200-number chunks takes. See BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../packages/config/src';
import { startRedisServer } from '../packages/devkit/src';
import { Store } from '../packages/store/src';
import { fixed, int, usedMemory } from './lib/measure';

/** Numbers as the uploads' (91 + 10 digits), spread like real ones: every 7th number of a range. */
export const suppressedNumber = (i: number): string => String(918_000_000_000 + i * 7);

/** The first number of the bench's generated recipient files (bench/lib/csv-file.ts). */
const FILE_FIRST = 917_000_000_000;

/**
 * A suppression list of `n` numbers of which 1% of a `fileRows`-row generated file (every 100th row) are in the
 * file, the rest elsewhere; `load` writes it (batches of 50,000) and answers the seconds it took.
 */
export function suppressionList(n: number, fileRows: number) {
  const inFile = Math.min(n, Math.floor(fileRows / 100));
  const number = (i: number) => (i < inFile ? String(FILE_FIRST + i * 100) : suppressedNumber(i));
  return {
    inFile,
    async load(store: Store): Promise<number> {
      const started = Date.now();
      const BATCH = 50_000;
      for (let i = 0; i < n; i += BATCH) {
        await store.audience.suppress(
          Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => number(i + k)),
          'bench',
        );
      }
      return (Date.now() - started) / 1000;
    },
  };
}

/** A Store on the bench's Redis under a producer's prefix (to load its suppression list). */
export function openSuppressionStore(url: string, prefix: string): Store {
  return Store.open({ url, prefix, resultTtlDays: 1 }, createLogger('bench', 'silent'));
}

/** Suppresses `n` numbers in batches of 50,000; returns the seconds it took. */
export async function loadSuppressions(store: Store, n: number): Promise<number> {
  const started = Date.now();
  const BATCH = 50_000;
  for (let i = 0; i < n; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => suppressedNumber(i + k));
    await store.audience.suppress(batch, 'bench');
  }
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'sobot-supp-'));
  const server = await startRedisServer({ dir, appendonly: false });
  const store = Store.open({ url: server.url, prefix: 'bs', resultTtlDays: 1 }, createLogger('bench', 'silent'));
  try {
    const ioredis = (await import('ioredis')).default;
    const raw = new ioredis(server.url);
    const mem0 = await usedMemory(raw);
    const seconds = await loadSuppressions(store, n);
    const mem1 = await usedMemory(raw);
    console.log(`suppressed ${int(n)} numbers in ${fixed(seconds, 2)} s (${int(n / seconds)} numbers/s)`);
    console.log(
      `Redis used_memory +${fixed((mem1 - mem0) / 2 ** 20)} MiB: ${fixed((mem1 - mem0) / n, 1)} B per number`,
    );
    const enc = await raw.object('ENCODING', 'bs:{a:3}:s:1234');
    console.log(`a bucket's encoding: ${String(enc)}, ${await raw.hlen('bs:{a:3}:s:1234')} fields`);
    // Lookups: 200-number chunks, half of them suppressed.
    const chunks = 2_000;
    const t0 = Date.now();
    let hits = 0;
    for (let c = 0; c < chunks; c += 1) {
      const numbers = Array.from({ length: 200 }, (_, k) =>
        k % 2 ? suppressedNumber((c * 200 + k) % n) : String(917_000_000_000 + c * 200 + k),
      );
      hits += (await store.audience.lookup(numbers, { window: true })).filter((f) => f & 1).length;
    }
    const ms = Date.now() - t0;
    console.log(`lookup: ${int(chunks)} chunks of 200 in ${ms} ms (${fixed(ms / chunks, 3)} ms a chunk), ${hits} hits`);
    raw.disconnect();
  } finally {
    await store.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
