/**
 * SPEC §19 in CI: a short `pnpm chaos` run (fixed seed) with its own Redis (AOF), sandbox, producer and two
 * workers as real processes. Workers, the producer and Redis are killed with SIGKILL while bulk campaigns, a
 * quiet-hours campaign and transactional messages go through; nothing may be lost, no number may appear that was
 * not given, doubles stay within what the killed processes had in flight, no second carries over 1.1 × SEND_RATE
 * (measured by the sandbox, its own process), and no suppressed or quiet-hours number is requested.
 */
import { checksTable, runChaos } from '@sobot/devkit';

const ownRedis = process.env.REDIS_URL ? test.skip : test;

ownRedis(
  'chaos, seed 19: kills of workers, the producer and Redis lose nothing and stay within the bounds',
  async () => {
    const lines: string[] = [];
    const result = await runChaos({
      seed: 19,
      durationMs: 20_000,
      workers: 2,
      sendRate: 50,
      workerConcurrency: 8,
      campaigns: 2,
      quietRecipients: 20,
      messagesPerSecond: 2,
      drainTimeoutMs: 60_000,
      log: (line) => lines.push(line),
    });
    const table = checksTable(result.checks);
    console.log(`${lines.join('\n')}\n${table}`);
    // Every kind of kill happened, and traffic went through while it did.
    expect(new Set(result.kills.map((k) => k.target))).toEqual(new Set(['worker', 'producer', 'redis']));
    expect(result.messages.sent).toBeGreaterThan(0);
    expect(result.figures.byStatus.sent).toBeGreaterThan(0);
    if (!result.ok) console.log(result.logs.slice(-20_000));
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  },
  // About a minute on an idle 2-core machine; restarts under tsx take several times longer on a loaded one.
  240_000,
);
