import pino, { type Logger } from 'pino';
import { startTestRedis, type TestRedis, type TestRedisOptions } from '@sobot/devkit';
import { startSandbox, type Sandbox, type SandboxOptions } from '@sobot/sandbox';
import type { SobotImageMessage } from '@sobot/schema';
import { Store, type CampaignHeader } from '@sobot/store';
import { startSendWorker, type SendWorker, type SendWorkerOptions } from '../src';

/** A real Redis, the sandbox, a Store and one send worker in this process: the sending path end to end. */
export interface SendingRig {
  redis: TestRedis;
  sandbox: Sandbox;
  store: Store;
  sender: SendWorker;
  /** The sandbox's sample image. */
  image: string;
  close(): Promise<void>;
}

export async function startRig(
  o: { sandbox?: SandboxOptions; log?: Logger; redis?: TestRedisOptions } & Partial<
    Omit<SendWorkerOptions, 'store' | 'log' | 'sobot'>
  > = {},
): Promise<SendingRig> {
  const log = o.log ?? pino({ level: 'silent' });
  const redis = await startTestRedis(o.redis);
  const sandbox = await startSandbox(o.sandbox ?? { faults: { latencyMs: 5 } });
  const store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, log);
  const sender = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: o.sendRate ?? 500,
    concurrency: o.concurrency ?? 20,
    maxAttempts: o.maxAttempts ?? 2,
    senders: o.senders,
    pairIntervalMs: o.pairIntervalMs,
    senderPolicy: o.senderPolicy,
    clock: o.clock,
  });
  return {
    redis,
    sandbox,
    store,
    sender,
    image: `${sandbox.url}/images/sample.jpg`,
    async close() {
      await sender.close();
      await store.close();
      await sandbox.close();
      await redis.close();
    },
  };
}

/**
 * Commits a campaign of one recipient per number (the rig's image) and returns its id; `zones` gives some numbers a
 * `timezone` column value.
 */
export async function commitCampaign(
  rig: SendingRig,
  numbers: string[],
  header: Partial<CampaignHeader> = {},
  zones: Record<string, string> = {},
): Promise<string> {
  const defaults = { image_url: rig.image };
  const writer = rig.store.newCampaign(defaults);
  for (const [i, n] of numbers.entries()) {
    const m: SobotImageMessage = {
      type: 'image',
      url: rig.image,
      mime_type: 'image/jpeg',
      customer_number: n,
      customer_name: `C${i}`,
    };
    if (zones[n]) m.timezone = zones[n];
    await writer.add(m);
  }
  await writer.commit({
    name: 'test',
    source: 'upload',
    defaults,
    total: numbers.length,
    rejected: 0,
    duplicates: 0,
    ...header,
  });
  return writer.campaignId;
}

/** `count` numbers that start with `prefix` (digits), distinct and 12 digits long. */
export function numbers(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(12 - prefix.length, '0')}`);
}

/**
 * A second send worker on the rig's Redis and sandbox, with its own Store (its own connections) and its own
 * permits: what a second worker process has. Closed with the returned function.
 */
export function addSender(
  rig: SendingRig,
  o: Partial<Omit<SendWorkerOptions, 'store' | 'log' | 'sobot'>> = {},
): () => Promise<void> {
  const log = pino({ level: 'silent' });
  const store = Store.open({ url: rig.redis.url, prefix: rig.redis.prefix, resultTtlDays: 1 }, log);
  const sender = startSendWorker({
    store,
    log,
    sobot: { baseUrl: rig.sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: o.sendRate ?? 500,
    concurrency: o.concurrency ?? 20,
    maxAttempts: o.maxAttempts ?? 2,
    senders: o.senders,
    pairIntervalMs: o.pairIntervalMs,
    senderPolicy: o.senderPolicy,
    clock: o.clock,
  });
  return async () => {
    await sender.close();
    await store.close();
  };
}
