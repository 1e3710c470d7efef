import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from './redis';

/**
 * The Lua scripts in ./lua, by name; the file name ends with the number of KEYS it takes. Always a fixed number:
 * under Redis Cluster ioredis's auto-pipelining routes a call by its first argument, which must be its first key.
 */
const SCRIPTS = {
  recordOutcomes: 'record-outcomes-6',
  resetFailed: 'reset-failed-4',
  reserveSends: 'reserve-sends-1',
  delaySends: 'delay-sends-1',
  recordDelivery: 'record-delivery-2',
  findWamids: 'find-wamids-8',
  setStatus: 'set-status-1',
  advanceCursor: 'advance-cursor-1',
  audienceLookup: 'audience-lookup-1',
  audienceWrite: 'audience-write-3',
  inboundApply: 'inbound-apply-3',
  reasonId: 'reason-id-1',
  claimIdempotency: 'claim-idempotency-1',
  renewIdempotency: 'renew-idempotency-1',
  settleIdempotency: 'settle-idempotency-1',
  releaseIdempotency: 'release-idempotency-1',
  fairShare: 'fair-share-1',
  claimUploadPrint: 'claim-upload-print-1',
  settleUploadPrint: 'settle-upload-print-1',
  releaseUploadPrint: 'release-upload-print-1',
  rotateEventSecret: 'rotate-event-secret-1',
  assignSenders: 'assign-senders-1',
  claimEventDeliveries: 'claim-event-deliveries-1',
  settleEventSource: 'settle-event-source-1',
} as const;

type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;

const defined = new WeakSet<RedisClient>();

/**
 * defineCommand adds a method to the client: prefixed, so that a script can never replace one of the
 * client's own methods (ioredis has a private `setStatus`; overwriting it silently broke reconnects).
 */
const commandName = (name: ScriptName) => `sobot_${name}`;

/**
 * Defines every script on a client. Called when the client is created: ioredis's auto-pipelining copies a
 * client's commands when a batch starts, so a script defined later, on its first call, may miss a batch that
 * began earlier (the call fails, and so does the batch).
 */
export function defineScripts(client: RedisClient): void {
  if (defined.has(client)) return;
  for (const [name, file] of Object.entries(SCRIPTS)) {
    const numberOfKeys = Number(file.slice(file.lastIndexOf('-') + 1));
    client.defineCommand(commandName(name as ScriptName), {
      numberOfKeys,
      lua: readFileSync(join(__dirname, 'lua', `${file}.lua`), 'utf8'),
    });
  }
  defined.add(client);
}

/** Runs one of our scripts (EVALSHA, loading it on NOSCRIPT) with its keys and arguments. */
export async function runScript<T = unknown>(
  client: RedisClient,
  name: ScriptName,
  keys: string[],
  args: Arg[],
): Promise<T> {
  defineScripts(client);
  const fn = (client as unknown as Record<string, (...a: Arg[]) => Promise<T>>)[commandName(name)]!;
  return fn.call(client, ...keys, ...args);
}
