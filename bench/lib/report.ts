/** One target of the performance issue, as measured in this run. */
export interface Target {
  /** Short name for the summary line, e.g. `send ≥0.85×bare`. */
  name: string;
  pass: boolean;
  /** The figure, e.g. `0.93×`. */
  value: string;
}

/** Prints rows as an aligned table: first column left, the rest right. */
export function table(header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(`  ${line(header)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells.slice(1)) console.log(`  ${line(r)}`);
}

export const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

export function section(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);
}

export function summaryLine(targets: Target[]): string {
  const missed = targets.filter((t) => !t.pass).length;
  const parts = targets.map((t) => `${t.name} ${verdict(t.pass)} (${t.value})`);
  const head =
    targets.length === 0
      ? 'no targets measured'
      : missed === 0
        ? `all ${targets.length} targets PASS`
        : `${missed} of ${targets.length} targets MISS`;
  return `SUMMARY: ${head} | ${parts.join(' | ')}`;
}
