/**
 * SPEC §7's rate rule at rates the tests do not reach: W worker apps share one SEND_RATE, and the
 * sandbox's own record of arrivals gives the busiest one-second window (must stay ≤ 1.1 × the rate)
 * and the mean over the campaign (≥ 0.9 × the rate when the upstream keeps up).
 *
 *   npx tsx bench/rate-window.ts        env: W (2 workers), RATE (2000/s), N (6 s of the rate)
 */
import { recipientsCsv } from './lib/csv-file';
import { fixed, int } from './lib/measure';
import { newPrefix, sandboxArrivals, startProducer, startStack, startWorker, upload, waitCompleted } from './lib/stack';

const W = Number(process.env.W ?? 2);
const RATE = Number(process.env.RATE ?? 2_000);
const N = Number(process.env.N ?? RATE * 6);

async function main(): Promise<void> {
  const stack = await startStack();
  const prefix = newPrefix('rw');
  const producer = await startProducer(stack, prefix);
  const workers = Array.from({ length: W }, () => startWorker(stack, prefix, RATE));
  try {
    const up = await upload(producer, (await recipientsCsv(stack.dir, N)).path, stack.imageUrl);
    await waitCompleted(producer, up.id, workers[0], 600_000, 20);
    const at = await sandboxArrivals(stack);
    let peak = 0;
    for (let i = 0, j = 0; i < at.length; i++) {
      while (at[i]! - at[j]! >= 1_000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const mean = (at.length - 1) / ((at[at.length - 1]! - at[0]!) / 1_000);
    console.log(
      `${W} workers at SEND_RATE ${int(RATE)}: busiest 1 s window ${int(peak)} requests ` +
        `(${fixed(peak / RATE, 3)} × the rate), ` +
        `mean ${int(mean)}/s (${fixed(mean / RATE, 3)} × the rate), ${int(at.length)} requests`,
    );
  } finally {
    await Promise.all([...workers.map((w) => w.stop()), producer.app.stop()]);
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
