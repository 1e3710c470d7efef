import type { Logger } from './logger';

/** SIGTERM/SIGINT: run `close` once within `deadlineMs`, then exit (1 if it failed or overran). */
export function onShutdown(log: Logger, close: () => Promise<void>, deadlineMs = 30_000): void {
  let done = false;
  const handler = (signal: NodeJS.Signals) => {
    if (done) return;
    done = true;
    log.info({ signal }, 'shutting down: finishing in-flight sends');
    const timer = setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    close().then(
      () => {
        log.info('shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
