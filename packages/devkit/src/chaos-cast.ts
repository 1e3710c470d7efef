/**
 * The processes of a chaos run: a Redis with AOF, the sandbox, the producer and N workers, each its own OS
 * process that the run kills with SIGKILL and starts again. A process that dies without being killed is
 * noted (and started again, so the run can finish and show what it cost).
 */
import { randomBytes } from 'node:crypto';
import { freePort } from './free-port';
import { spawnApp, waitForHttp, type AppName, type AppProcess } from './processes';
import { startRedisServer, type RedisServer } from './redis-server';
import { waitFor } from './wait-for';

/** One app slot (`worker-2`): the process now in it and every earlier one, for the logs. */
export class AppSlot {
  private readonly runs: AppProcess[] = [];
  private killing = false;
  /** Exits nobody asked for (`worker-2 exited with 1`). */
  readonly crashes: string[] = [];

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly onCrash: (line: string) => void,
  ) {}

  get current(): AppProcess {
    return this.runs.at(-1)!;
  }

  start(): AppProcess {
    const proc = spawnApp(this.entry, this.env);
    this.runs.push(proc);
    void proc.exited.then((code) => {
      if (this.killing || proc !== this.current) return;
      const line = `${this.name} (pid ${proc.pid}) exited on its own (${code}); starting it again`;
      this.crashes.push(line);
      this.onCrash(line);
      this.start();
    });
    return proc;
  }

  /** SIGKILL the process in the slot and start a new one at once; resolves with the killed pid. */
  async kill9(): Promise<number> {
    const old = this.current;
    this.killing = true;
    await old.stop('SIGKILL');
    this.killing = false;
    this.start();
    return old.pid;
  }

  async stop(): Promise<void> {
    this.killing = true;
    await this.current.stop('SIGTERM');
  }

  output(): string {
    return this.runs.map((p, i) => `----- ${this.name} run ${i + 1} (pid ${p.pid}) -----\n${p.output()}`).join('\n');
  }
}

export interface CastOptions {
  dir: string;
  workers: number;
  sendRate: number;
  workerConcurrency: number;
  /** The sandbox's answer delay: `'20-80'` (uniform) or `'30'`. */
  latency: string;
  /** Run `apps/<name>/dist/main.js` with node (after `pnpm build`) instead of the sources through tsx. */
  built: boolean;
  onCrash: (line: string) => void;
}

export interface Cast {
  redis: RedisServer;
  sandbox: AppSlot;
  sandboxUrl: string;
  producer: AppSlot;
  producerUrl: string;
  token: string;
  workers: AppSlot[];
  crashes(): string[];
  logs(): string;
  stop(): Promise<void>;
}

export async function startCast(o: CastOptions): Promise<Cast> {
  const entry = (name: AppName) => (o.built ? `apps/${name}/dist/main.js` : name);
  const redis = await startRedisServer({ dir: o.dir, appendonly: true });
  const prefix = `chaos${randomBytes(3).toString('hex')}`;
  const token = `chaos-${randomBytes(8).toString('hex')}`;
  const [sandboxPort, producerPort] = [await freePort(), await freePort()];
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const producerUrl = `http://127.0.0.1:${producerPort}`;
  const sandbox = new AppSlot(
    'sandbox',
    entry('sandbox'),
    {
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_LATENCY_MS: o.latency,
      SOBOT_API_KEY: 'chaos-key',
      SOBOT_API_SECRET: 'chaos-secret',
      LOG_LEVEL: 'warn',
    },
    o.onCrash,
  );
  const common = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' };
  const producer = new AppSlot(
    'producer',
    entry('producer'),
    {
      ...common,
      PORT: String(producerPort),
      HOST: '127.0.0.1',
      API_KEYS: token,
      LOG_LEVEL: 'info',
      // The images are the sandbox's, on loopback (SPEC §14).
      ALLOW_PRIVATE_URLS: 'true',
    },
    o.onCrash,
  );
  const workers = Array.from(
    { length: o.workers },
    (_, i) =>
      new AppSlot(
        `worker-${i + 1}`,
        entry('worker'),
        {
          ...common,
          SOBOT_API_URL: sandboxUrl,
          SOBOT_API_KEY: 'chaos-key',
          SOBOT_API_SECRET: 'chaos-secret',
          SEND_RATE: String(o.sendRate),
          WORKER_CONCURRENCY: String(o.workerConcurrency),
          LOG_LEVEL: 'info',
        },
        o.onCrash,
      ),
  );
  const all = [sandbox, producer, ...workers];
  const cast: Cast = {
    redis,
    sandbox,
    sandboxUrl,
    producer,
    producerUrl,
    token,
    workers,
    crashes: () => all.flatMap((s) => s.crashes),
    logs: () => all.map((s) => s.output()).join('\n'),
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await producer.stop();
      await sandbox.stop();
      await redis.stop();
    },
  };
  try {
    for (const slot of all) slot.start();
    await waitForHttp(`${sandboxUrl}/_sandbox/health`, 60_000);
    await waitForHttp(`${producerUrl}/readyz`, 60_000);
    await waitFor(() => workers.every((w) => w.current.output().includes('worker started')), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'the workers to start',
    });
  } catch (err) {
    await cast.stop().catch(() => undefined);
    throw new Error(`${(err as Error).message}\n${cast.logs().slice(-4000)}`);
  }
  return cast;
}
