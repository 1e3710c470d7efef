import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Linux clock ticks per second (`getconf CLK_TCK`; 100 on every mainstream kernel). */
const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** A `VmXXX:` line of /proc/<pid>/status, in MiB (VmHWM is the peak resident set size). */
export function procMemMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(line.replace(/\D+/g, '')) / 1024;
}

/** Bytes Redis has allocated (INFO memory `used_memory`). */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m) throw new Error('INFO memory has no used_memory');
  return Number(m[1]);
}

/** 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** 12,345 */
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
/** 0.93 */
export const ratio = (n: number) => n.toFixed(2);
export const fixed = (n: number, digits = 1) => n.toFixed(digits);

/** Redis server CPU seconds so far (INFO cpu: used_cpu_user + used_cpu_sys). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Calls per Redis command so far (INFO commandstats), e.g. { evalsha: 120, hset: 40 }. */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

/** Commands issued between two commandCalls snapshots (the snapshots' own INFO calls left out). */
export function callsBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [cmd, n] of after) {
    const d = n - (before.get(cmd) ?? 0) - (cmd === 'info' ? 1 : 0);
    if (d > 0) diff.set(cmd, d);
  }
  return diff;
}

/** `evalsha 0.31, hset 0.20, …`: the most frequent commands per message. */
export function perMessage(calls: Map<string, number>, messages: number, top = 8): string {
  const total = [...calls.values()].reduce((a, b) => a + b, 0);
  const list = [...calls]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([cmd, n]) => `${cmd} ${(n / messages).toFixed(2)}`);
  return `${(total / messages).toFixed(2)} commands/msg (${list.join(', ')})`;
}
