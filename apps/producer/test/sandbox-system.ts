import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { startSystem, startTestRedis, type System, type TestRedis } from '@sobot/devkit';

/** What an end-to-end producer test runs against: its own Redis, the sandbox, producer and worker processes. */
export interface SandboxSystem {
  redis: TestRedis;
  sandbox: Sandbox;
  sys: System;
  /** The sandbox's sample image. */
  image: string;
}

/**
 * A real Redis of the test's own, the sandbox over loopback answering after `latencyMs`, and the producer with
 * one worker process (`workerEnv` on top of the defaults: SEND_RATE 2000).
 */
export async function startSandboxSystem(
  opts: { latencyMs: number; workerEnv?: Record<string, string> } = { latencyMs: 2 },
): Promise<SandboxSystem> {
  const redis = await startTestRedis();
  const sandbox = await startSandbox({
    apiKey: 'test-key',
    apiSecret: 'test-secret',
    faults: { latencyMs: opts.latencyMs },
  });
  const sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    workers: 1,
    workerEnv: { SEND_RATE: '2000', ...opts.workerEnv },
  });
  return { redis, sandbox, sys, image: `${sandbox.url}/images/sample.jpg` };
}

/** Closes what startSandboxSystem started (whatever part of it did start). */
export async function closeSandboxSystem(s: Partial<SandboxSystem>): Promise<void> {
  await s.sys?.close();
  await s.sandbox?.close();
  await s.redis?.close();
}
