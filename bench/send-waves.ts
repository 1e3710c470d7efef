/**
 * A closer look at the send path than `pnpm bench -- send` gives: the project's worker against the
 * bare loop, round after round in one worker process (so later rounds show a warm worker), with
 * where each project round's time went, read from the sandbox's own record of arrivals:
 *   - from the upload's 202 to the first request, and from the last request to `completed_at`;
 *   - the steady rate (10th to 90th percentile of arrivals);
 *   - with WAVES=<ms>, requests per <ms> bucket: the 100 permits travel in waves (every answer
 *     takes the same 20 ms), and a wave's period is what sets the rate.
 * For A/B experiments on the worker's code; BENCHMARKS.md says which were run with it.
 *
 *   npx tsx bench/send-waves.ts        env: N (3000), ROUNDS (5), WARM (messages first, default N),
 *                                           WAVES (bucket ms, off by default)
 */
import { runScript } from './lib/child';
import { recipientsCsv } from './lib/csv-file';
import { fixed, int, median } from './lib/measure';
import {
  CONCURRENCY,
  newPrefix,
  resetSandbox,
  sandboxArrivals,
  startProducer,
  startStack,
  startWorker,
  upload,
  waitCompleted,
} from './lib/stack';

const N = Number(process.env.N ?? 3_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WARM = Number(process.env.WARM ?? N);
const WAVES = process.env.WAVES ? Number(process.env.WAVES) : undefined;

async function main(): Promise<void> {
  const stack = await startStack();
  const prefix = newPrefix('sw');
  const producer = await startProducer(stack, prefix);
  const worker = startWorker(stack, prefix, 100_000);
  try {
    const file = await recipientsCsv(stack.dir, N);
    const warm = await upload(producer, (await recipientsCsv(stack.dir, WARM)).path, stack.imageUrl);
    await waitCompleted(producer, warm.id, worker, 600_000);
    const ratios: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      await resetSandbox(stack);
      const up = await upload(producer, file.path, stack.imageUrl);
      const done = await waitCompleted(producer, up.id, worker, 600_000, 20);
      const at = await sandboxArrivals(stack);
      const end = Date.parse(done.completed_at!);
      const project = N / ((end - up.answeredAt) / 1000);
      const pct = (p: number) => at[Math.floor(p * (at.length - 1))]!;
      const steady = (0.8 * at.length) / ((pct(0.9) - pct(0.1)) / 1000);

      await resetSandbox(stack);
      const bare = await runScript<{ seconds: number }>('bench/contenders/bare-loop.ts', [], {
        SANDBOX_URL: stack.sandboxUrl,
        IMAGE_URL: stack.imageUrl,
        N: String(N),
        CONCURRENCY: String(CONCURRENCY),
        WARMUP: '1000',
      });
      const ratio = project / (N / bare.seconds);
      ratios.push(ratio);
      console.log(
        `round ${r}: project ${int(project)} msg/s ` +
          `(steady ${int(steady)}; 202 → first request ${at[0]! - up.answeredAt} ms, ` +
          `last request → completed ${end - at[at.length - 1]!} ms), ` +
          `bare ${int(N / bare.seconds)} msg/s, ratio ${fixed(ratio, 3)}`,
      );
      if (WAVES) {
        const buckets: number[] = [];
        for (const t of at) {
          const b = Math.floor((t - up.answeredAt) / WAVES);
          buckets[b] = (buckets[b] ?? 0) + 1;
        }
        console.log(`  requests per ${WAVES} ms: ${Array.from(buckets, (x) => x ?? 0).join(' ')}`);
      }
    }
    console.log(`median ratio ${fixed(median(ratios), 3)} (rounds: ${ratios.map((x) => fixed(x, 2)).join(' ')})`);
  } finally {
    await Promise.all([worker.stop(), producer.app.stop()]);
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
