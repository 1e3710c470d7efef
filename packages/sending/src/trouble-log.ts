import { SEND_POLICY } from '@sobot/schema';
import type { Logger } from 'pino';

/**
 * Logs a repeated trouble (Redis full, BullMQ connection errors) at most once per SEND_POLICY.troubleLogEveryMs,
 * with how many times it happened since the last line. Only the error's name, code and first line of its
 * message are logged: BullMQ's script errors carry the script's source and ioredis's carry the command's
 * arguments (recipients).
 */
export function troubleLog(log: Logger, message: string): (err: unknown) => void {
  let last = 0;
  let since = 0;
  return (err) => {
    since += 1;
    const now = Date.now();
    if (now - last < SEND_POLICY.troubleLogEveryMs) return;
    last = now;
    log.warn({ err: brief(err), times: since }, message);
    since = 0;
  };
}

/** An error as one short line: name, code and the first line of the message. */
export function brief(err: unknown): { name: string; code?: string; message: string } {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err).split('\n')[0]!.slice(0, 200) };
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: err.message.split('\n')[0]!.slice(0, 200),
  };
}
