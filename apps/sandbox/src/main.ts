import { createLogger, loadConfigOrExit, logDestination, onShutdown } from '@sobot/config';
import { sandboxConfigSchema } from './config';
import { startSandbox } from './sandbox';

/** Past this, a stuck close is abandoned and the process exits non-zero. */
const SHUTDOWN_DEADLINE_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit(sandboxConfigSchema);
  const log = createLogger('sandbox', config.logLevel, {}, logDestination(config.logFormat));
  const sandbox = await startSandbox(config).catch((err: unknown) => {
    log.error({ err }, 'sandbox failed to start');
    process.exit(1);
  });
  log.info(
    {
      url: sandbox.url,
      messages: `${sandbox.url}/message/`,
      auth: config.apiKey !== undefined || config.apiSecret !== undefined,
      faults: sandbox.faults(),
      webhook: config.webhook && withoutCredentials(config.webhook.url),
      signed: config.webhook?.secret !== undefined,
    },
    'sandbox listening',
  );
  onShutdown(log, () => sandbox.close(), SHUTDOWN_DEADLINE_MS);
}

/** The webhook URL may carry a token in its query string or user info: log neither. */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  return u.toString();
}

void main();
