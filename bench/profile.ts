/**
 * Summarises V8 CPU profiles (`--cpu-prof`, e.g. from `BENCH_PROFILE=<dir> pnpm bench -- send`):
 * top functions by self time, and self time by package.
 *
 *   npx tsx bench/profile.ts <file.cpuprofile | dir> [top=25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a script comes from: an npm package, one of ours, or node itself. */
function origin(url: string): string {
  if (!url) return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node: internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(apps|packages)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url.replace(/^file:\/\//, '');
}

function short(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/|(?=apps\/|packages\/|bench\/))/, '');
}

export function summarise(file: string, top = 25): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') idle += us;
    const key = `${functionName || '(anonymous)'}  ${url ? `${short(url)}:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const o = ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : origin(url);
    pkgs.set(o, (pkgs.get(o) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  console.log(
    `\n${file}\n  ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(2)} s busy (not idle); ` +
      'shares below are of busy time',
  );
  console.log('\n  self time by origin:');
  for (const [k, us] of [...pkgs]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15))
    console.log(`    ${pct(us)}  ${k}`);
  console.log(`\n  top ${top} functions by self time:`);
  for (const [k, us] of [...fns]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`    ${pct(us)}  ${k}`);
}

if (require.main === module) {
  const [target = '.', topArg] = process.argv.slice(2);
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(target, f))
    : [target];
  for (const f of files) summarise(f, Number(topArg ?? 25));
}
