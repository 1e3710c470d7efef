import pino from 'pino';
import { ConfigError, loadConfig } from './config';
import { startSandbox } from './sandbox';

/** Past this, a stuck close is abandoned and the process exits non-zero. */
const SHUTDOWN_DEADLINE_MS = 5_000;

const log = pino({ name: 'sandbox' });

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const sandbox = await startSandbox(config);
  log.info(
    {
      url: sandbox.url,
      messages: `${sandbox.url}/message/`,
      auth: config.apiKey !== undefined || config.apiSecret !== undefined,
      faults: sandbox.faults(),
      webhook: config.webhook && withoutCredentials(config.webhook.url),
    },
    'sandbox listening',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    sandbox.close().then(
      () => {
        log.info({ signal }, 'sandbox stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err, signal }, 'sandbox close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  return u.toString();
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`sandbox: ${err.message}\n`);
  else log.error({ err }, 'sandbox failed to start');
  process.exit(1);
});
