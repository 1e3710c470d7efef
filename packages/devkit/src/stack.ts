import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort } from './free-port';
import { REPO_ROOT, spawnApp, waitForHttp, type AppProcess } from './processes';
import { startRedisServer, type RedisServer } from './redis-server';

export interface StackOptions {
  /** Extra environment for every process (defaults to this process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Extra environment for the sandbox only (fault knobs for the demo). */
  sandboxEnv?: Record<string, string>;
  /** Where each line a process prints goes; default: stdout with a `[name]` prefix. */
  print?: (app: string, line: string) => void;
  /** Run the built apps (`apps/<name>/dist/main.js`, `pnpm build`) with node instead of the source with tsx. */
  built?: boolean;
}

export interface Stack {
  producerUrl: string;
  apiKey: string;
  sandboxUrl?: string;
  board?: { user: string; password: string };
  stop(): Promise<void>;
}

/** What the stack says loudly before it starts (never a secret other than the generated dev token). */
export type Announce = (message: string) => void;

/**
 * `pnpm start`: Redis (embedded from PATH when REDIS_URL is unset, AOF on, data under .data/redis),
 * the sandbox when SOBOT_API_KEY is unset, the producer and one worker — each its own process,
 * restarted if it dies, all stopped together (worker first, so in-flight sends are recorded).
 */
export async function startStack(
  opts: StackOptions = {},
  announce: Announce = (m) => process.stdout.write(`${m}\n`),
): Promise<Stack> {
  const base: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  const print = opts.print ?? ((app, line) => process.stdout.write(`[${app}] ${line}\n`));
  let redis: RedisServer | undefined;
  if (!base.REDIS_URL) {
    const dir = resolve(REPO_ROOT, '.data', 'redis');
    redis = await startRedisServer({
      dir,
      appendonly: true,
      port: base.REDIS_PORT ? Number(base.REDIS_PORT) : undefined,
    });
    base.REDIS_URL = redis.url;
    announce(`REDIS_URL is not set: started an embedded redis-server on ${redis.url} (AOF on, data in ${dir})`);
  }
  const children: Array<{ name: string; env: NodeJS.ProcessEnv; proc: AppProcess }> = [];
  let stopping = false;
  const run = (name: string, env: NodeJS.ProcessEnv) => {
    const entry = { name, env, proc: launch(name, env) };
    children.push(entry);
    return entry;
  };
  function launch(name: string, env: NodeJS.ProcessEnv): AppProcess {
    const proc = spawnApp(opts.built ? `apps/${name}/dist/main.js` : name, env);
    let partial = '';
    const onData = (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) print(name, l);
    };
    proc.child.stdout?.on('data', onData);
    proc.child.stderr?.on('data', onData);
    void proc.exited.then((code) => {
      if (stopping) return;
      const entry = children.find((c) => c.proc === proc);
      if (!entry) return;
      announce(`${name} exited (${code}); restarting it in 1 s`);
      setTimeout(() => {
        if (!stopping) entry.proc = launch(name, env);
      }, 1000);
    });
    return proc;
  }

  const port = base.PORT ?? '3000';
  base.PORT = port;
  let sandboxUrl: string | undefined;
  if (!base.SOBOT_API_KEY) {
    // The sandbox posts delivery callbacks to the webhook, signed: the webhook is closed without a secret.
    if (!base.WEBHOOK_APP_SECRET) {
      base.WEBHOOK_APP_SECRET = `dev-${randomBytes(16).toString('hex')}`;
      announce('WEBHOOK_APP_SECRET is not set: generated one for this run (the sandbox signs its callbacks with it)');
    }
    const sandboxPort = await freePort();
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    run('sandbox', {
      ...base,
      SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${port}/v1/webhooks/sobot`,
      SANDBOX_WEBHOOK_SECRET: base.WEBHOOK_APP_SECRET,
      ...opts.sandboxEnv,
      SANDBOX_PORT: String(sandboxPort),
      SOBOT_API_KEY: 'sandbox',
    });
    await waitForHttp(`${sandboxUrl}/_sandbox/health`);
    base.SOBOT_API_URL = sandboxUrl;
    base.SOBOT_API_KEY = 'sandbox';
    // The sandbox serves the demo's images on loopback: let the producer's image pre-flight reach them.
    base.ALLOW_PRIVATE_URLS ??= 'true';
    announce(
      `*** SOBOT_API_KEY is not set: messages go to the local SANDBOX at ${sandboxUrl}, not to Sobot. ` +
        'Nothing reaches WhatsApp. ***',
    );
  } else if (!base.WEBHOOK_TOKEN && !base.WEBHOOK_APP_SECRET && base.WEBHOOK_OPEN !== 'true') {
    announce(
      'Neither WEBHOOK_TOKEN nor WEBHOOK_APP_SECRET is set: the webhook (/v1/webhooks/sobot) refuses every ' +
        'event (401) until one is.',
    );
  }
  let apiKey = base.API_KEYS?.split(',')[0]?.trim() ?? '';
  if (!apiKey) {
    apiKey = `dev-${randomBytes(12).toString('hex')}`;
    base.API_KEYS = apiKey;
    announce(`API_KEYS is not set: generated a bearer token for this run: ${apiKey}`);
  }
  let board: Stack['board'];
  if (!base.BOARD_USER) {
    board = { user: 'admin', password: randomBytes(9).toString('base64url') };
    base.BOARD_USER = board.user;
    base.BOARD_PASSWORD = board.password;
  }
  run('producer', base);
  run('worker', base);
  const producerUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    stopping = true;
    for (const name of ['worker', 'producer', 'sandbox']) {
      await Promise.all(children.filter((c) => c.name === name).map((c) => c.proc.stop('SIGTERM')));
    }
    await redis?.stop();
  };
  try {
    await waitForHttp(`${producerUrl}/readyz`);
  } catch (err) {
    await stop();
    throw err;
  }
  announce(`producer: ${producerUrl}  API docs: ${producerUrl}/docs`);
  if (board)
    announce(
      `campaign page: ${producerUrl}/ui  Bull Board: ${producerUrl}/admin/queues  ` +
        `(user ${board.user}, password ${board.password})`,
    );

  return {
    producerUrl,
    apiKey,
    sandboxUrl,
    board,
    stop,
  };
}
