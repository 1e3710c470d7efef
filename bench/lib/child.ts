import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root (this file is bench/lib/child.ts). */
export const ROOT = resolve(__dirname, '..', '..');

/** A bench script run like the apps: its own node process, TypeScript through tsx, from the repo root. */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  ipc = false,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_OPTIONS: process.env.BENCH_CHILD_NODE_OPTIONS ?? '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

/** Runs a script to the end and parses the JSON on its last line. */
export async function runScript<T>(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<T & { pid: number }> {
  const { child, output } = spawnScript(script, args, env);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const lines = output().trim().split('\n');
  if (code !== 0) throw new Error(`${script} exited with ${code}:\n${output()}`);
  return { ...(JSON.parse(lines[lines.length - 1]!) as T), pid: child.pid ?? -1 };
}

/** Waits for a line on stdout (e.g. `warm`, `ready`). */
export async function waitForLine(
  proc: { child: ChildProcess; output: () => string },
  line: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!proc.output().split('\n').includes(line)) {
    if (proc.child.exitCode !== null) throw new Error(`exited before "${line}":\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${line}" within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sends an IPC message and resolves with the next one that answers it. */
export function ask<T>(child: ChildProcess, msg: object, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(msg)}`)), timeoutMs);
    child.once('message', (answer) => {
      clearTimeout(timer);
      resolvePromise(answer as T);
    });
    child.send(msg);
  });
}
