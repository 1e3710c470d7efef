import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './free-port';
import { waitFor } from './wait-for';
import { assertMayStartProcesses } from './unit-guard';

export interface RedisServerOptions {
  /** Data directory (AOF lives here). */
  dir: string;
  /** Port to bind on 127.0.0.1; a free one when absent. */
  port?: number;
  /** Append-only file on (default true): a kill -9 loses at most about a second of writes. */
  appendonly?: boolean;
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  args?: string[];
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (crash simulation). */
  kill9(): Promise<void>;
  /** Start again on the same port and directory. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections open but answers nothing (a hung Redis). */
  freeze(): void;
  /** SIGCONT after freeze. */
  thaw(): void;
}

export class RedisNotInstalledError extends Error {
  readonly code = 'REDIS_NOT_INSTALLED';
  constructor() {
    super(
      'redis-server was not found on PATH. ' +
        'Install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) ' +
        'or set REDIS_URL to a Redis you run.',
    );
  }
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.setTimeout(500);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** Servers still running: killed when this process exits, so a failed test never leaves one behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Spawns redis-server from PATH on loopback and resolves once it answers PING. */
export async function startRedisServer(opts: RedisServerOptions): Promise<RedisServer> {
  assertMayStartProcesses('redis-server');
  if (!redisServerInstalled()) throw new RedisNotInstalledError();
  mkdirSync(opts.dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        opts.dir,
        '--save',
        '',
        '--appendonly',
        opts.appendonly === false ? 'no' : 'yes',
        '--maxmemory-policy',
        'noeviction',
        ...(opts.args ?? []),
      ],
      { stdio: 'ignore' },
    );
    const proc = child;
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`redis-server exited with code ${proc.exitCode}`);
        return ping(port);
      },
      { timeoutMs: 15_000, intervalMs: 25, what: `redis-server on port ${port}` },
    );
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    restart: launch,
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
  };
}
