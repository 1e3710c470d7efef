import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { assertMayStartProcesses } from './unit-guard';

/** The repository root (devkit lives in packages/devkit/src). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export type AppName = 'producer' | 'worker' | 'sandbox';

export interface AppProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs one of the apps as its own process (`node --import tsx apps/<name>/src/main.ts`) with `env`;
 * `nodeArgs` go before the entry (e.g. `--cpu-prof`, which Node 20 refuses in NODE_OPTIONS). An entry
 * ending in `.js` (a built app, `apps/<name>/dist/main.js`) runs with plain node.
 */
export function spawnApp(
  name: AppName | string,
  env: Record<string, string | undefined>,
  nodeArgs: string[] = [],
): AppProcess {
  assertMayStartProcesses(`the ${name} process`);
  const entry = name.includes('/') ? name : `apps/${name}/src/main.ts`;
  const loader = entry.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)));
  return {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `url` until it answers 2xx. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
