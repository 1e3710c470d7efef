/**
 * `pnpm bench [-- send|ingest|memory|cpu|lanes|burst ...]`: starts its own Redis and sandbox, runs the project's
 * apps as separate processes next to the naive contenders, prints ratios measured side by side, and
 * ends with one summary line of the performance targets. See BENCHMARKS.md.
 *
 * env: BENCH_QUICK=1 (smaller N, no 1M upload), BENCH_SEND_N, BENCH_ROUNDS, BENCH_INGEST_ROWS, BENCH_SUPPRESSED,
 *      BENCH_PROFILE=<dir> (worker and producer write --cpu-prof profiles there; see bench/profile.ts),
 *      BENCH_LANES_WORKERS (worker processes in the lanes runs, default 2), BENCH_LANES_RATE (fair-share
 *      SEND_RATE, default 1000), BENCH_LANES_WINDOWS (10 s windows per fair-share run, default 2),
 *      BENCH_BURST_UPLOADS (concurrent uploads of the burst section, default 1000).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fixed, int, loadAverage } from './lib/measure';
import { summaryLine, type Target } from './lib/report';
import { startStack } from './lib/stack';
import { burstSection } from './sections/burst';
import { cpuSection } from './sections/cpu';
import { ingestSection } from './sections/ingest';
import { lanesSection } from './sections/lanes';
import { memorySection } from './sections/memory';
import { sendSection } from './sections/send';
import { sendersSection } from './senders';

const SECTIONS = ['send', 'ingest', 'memory', 'cpu', 'lanes', 'burst', 'senders'] as const;
type Section = (typeof SECTIONS)[number];

const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const profile = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;

function chosenSections(): Section[] {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = args.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`unknown section ${unknown.join(', ')}: choose from ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
  return args.length > 0 ? (args as Section[]) : [...SECTIONS];
}

function machine(): string {
  const redis =
    execFileSync('redis-server', ['--version'])
      .toString()
      .match(/v=(\S+)/)?.[1] ?? '?';
  return (
    `${cpus()[0]?.model.trim() ?? 'cpu'} × ${cpus().length}, ${fixed(totalmem() / 2 ** 30, 0)} GiB RAM, ` +
    `Node ${process.version}, Redis ${redis}`
  );
}

async function main(): Promise<void> {
  const sections = chosenSections();
  const started = Date.now();
  const load = loadAverage();
  console.log(`sobot bench: ${sections.join(', ')}${quick ? ' (BENCH_QUICK)' : ''}`);
  console.log(
    `machine: ${machine()}; load average at start ${fixed(load, 2)}` +
      `${load >= 0.5 ? '  ⚠ not a quiet machine: figures will be noisy' : ''}`,
  );
  const stack = await startStack();
  const targets: Target[] = [];
  try {
    for (const s of sections) {
      if (s === 'send') {
        targets.push(
          ...(await sendSection(stack, {
            n: num('BENCH_SEND_N', quick ? 3_000 : 10_000),
            rounds: num('BENCH_ROUNDS', quick ? 2 : 3),
            profile,
          })),
        );
      } else if (s === 'ingest') {
        targets.push(
          ...(await ingestSection(stack, {
            rows: num('BENCH_INGEST_ROWS', quick ? 100_000 : 500_000),
            rounds: num('BENCH_ROUNDS', quick ? 1 : 3),
            suppressed: num('BENCH_SUPPRESSED', quick ? 100_000 : 1_000_000),
            profile,
          })),
        );
      } else if (s === 'memory') {
        targets.push(...(await memorySection(stack, { sizes: quick ? [100_000] : [100_000, 1_000_000] })));
      } else if (s === 'lanes') {
        targets.push(
          ...(await lanesSection(stack, {
            workers: num('BENCH_LANES_WORKERS', 2),
            fairRate: num('BENCH_LANES_RATE', 1_000),
            windows: num('BENCH_LANES_WINDOWS', quick ? 1 : 2),
          })),
        );
      } else if (s === 'senders') {
        targets.push(...(await sendersSection(stack, { rate: 50, seconds: quick ? 3 : 6, n: quick ? 2_000 : 6_000 })));
      } else if (s === 'burst') {
        targets.push(
          ...(await burstSection(stack, {
            uploads: num('BENCH_BURST_UPLOADS', quick ? 300 : 1_000),
            settleMs: 30_000,
          })),
        );
      } else {
        await cpuSection(stack, { n: quick ? 1_200 : 4_000, fullSpeedN: quick ? 3_000 : 10_000, profile });
      }
    }
  } finally {
    await stack.close();
  }
  console.log(`\n(${int((Date.now() - started) / 1000)} s; load average now ${fixed(loadAverage(), 2)})`);
  console.log(summaryLine(targets));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
