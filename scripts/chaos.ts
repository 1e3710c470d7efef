// `pnpm chaos [--seed N] [--duration 3m] [--workers 2] [--rate 60]`: SPEC §19's proof under faults. Prints the
// seed, the kills and a table of checks; exits 1 when a check fails (the processes' logs then go to a file).
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ChaosRunError, REPO_ROOT, checksTable, runChaos } from '@sobot/devkit';

/** `90`, `90s`, `3m`, `1500ms` → milliseconds. */
function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration ${text}: write it as 90s, 3m or 1500ms`);
  const unit = m[2] ?? 's';
  return Math.round(Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} ${text}: must be a whole number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      duration: { type: 'string' },
      workers: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      recipients: { type: 'string' },
      source: { type: 'boolean' },
    },
  });
  const seed = count('seed', values.seed ?? process.env.CHAOS_SEED, Math.floor(Math.random() * 1_000_000));
  const durationMs = duration(values.duration ?? process.env.CHAOS_DURATION ?? '3m');
  console.log(`chaos seed ${seed} (repeat this run with --seed ${seed} or CHAOS_SEED=${seed})`);
  const result = await runChaos({
    seed,
    durationMs,
    workers: count('workers', values.workers, 2),
    sendRate: count('rate', values.rate, 60),
    workerConcurrency: count('concurrency', values.concurrency, 10),
    recipients: values.recipients === undefined ? undefined : count('recipients', values.recipients, 0),
    // The root script builds the apps first; --source runs them through tsx instead.
    built: !values.source,
    log: (line) => console.log(line),
  }).catch((err: unknown) => {
    if (err instanceof ChaosRunError) console.log(`\nFAILED: the processes' logs are in ${saveLogs(seed, err.logs)}`);
    throw err;
  });
  const f = result.figures;
  const kinds = (t: string) => result.kills.filter((k) => k.target === t).length;
  console.log(
    `\nseed ${seed}: ${(result.wallMs / 1000).toFixed(0)} s wall; kills: ${kinds('worker')} worker, ` +
      `${kinds('producer')} producer, ${kinds('redis')} redis; ${f.accepted} recipients accepted ` +
      `(${Object.entries(f.byStatus)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')}); ${f.requests} requests at the sandbox; ` +
      `${result.messages.sent} transactional messages (accepted in ${result.messages.medianAcceptMs} ms median, ` +
      `${result.messages.slowestAcceptMs} ms at worst), ${result.messages.retriedCalls} calls repeated with their key`,
  );
  const terms = result.kills.map((k) => `${k.inFlightBound} (${k.name})`).join(' + ') || '0';
  console.log(`duplicate bound: Σ over the kills of the in-flight they could cut = ${terms} = ${f.duplicateBound}`);
  const since = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `busiest 1-s window: ${f.busiestSecond} requests, from ${since(f.busiestAt - result.chaosStartedAt)} into the ` +
      `kill phase, per 100 ms ${f.busiestTenths.join(' ')} (the second before: ${f.busiestTenthsBefore.join(' ')}) ` +
      `(kills at ${result.kills.map((k) => `${since(k.at)} ${k.name}`).join(', ')})\n`,
  );
  console.log(checksTable(result.checks));
  if (f.lostExamples.length > 0) console.log(`\nlost, e.g.:\n  ${f.lostExamples.join('\n  ')}`);
  if (f.unexpectedExamples.length > 0) console.log(`\nunexpected numbers, e.g.: ${f.unexpectedExamples.join(', ')}`);
  if (!result.ok) {
    console.log(`\nFAILED: the processes' logs are in ${saveLogs(seed, result.logs)}`);
    process.exitCode = 1;
  } else console.log('\nall checks passed');
}

/** Writes every process's output to .data/chaos/seed-<seed>.log; returns the path. */
function saveLogs(seed: number, logs: string): string {
  const dir = resolve(REPO_ROOT, '.data', 'chaos');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `seed-${seed}.log`);
  writeFileSync(file, logs);
  return file;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
