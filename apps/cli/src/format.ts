import type { CampaignView, RowError, UploadResult } from '@sobot/client';

/** Human output: compact lines and tables. */

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Recipients ended: sent, failed or skipped (a server older than `skipped` has none). */
export function done(v: CampaignView): number {
  return v.counts.sent + v.counts.failed + (v.counts.skipped ?? 0);
}

/**
 * `reason` lines: `<count> × <code>: <message>`, most frequent first, five at most; each followed by what the code
 * means and what to do (`error_hint`), when the API explains it.
 */
function reasonLines(label: string, reasons: CampaignView['failure_reasons'] | undefined): string[] {
  const indent = ' '.repeat(label.length + 2);
  return (reasons ?? [])
    .slice(0, 5)
    .flatMap((f) => [
      `${label}${f.count} × ${f.code}${f.message ? `: ${f.message}` : ''}`,
      ...(f.error_hint ? [`${indent}→ ${f.error_hint}`] : []),
    ]);
}

export function percent(v: CampaignView): string {
  return v.counts.total === 0 ? '100%' : `${Math.floor((100 * done(v)) / v.counts.total)}%`;
}

/**
 * The first row errors as a table. LINE is the line a spreadsheet shows (header = line 1, title lines counted);
 * errors without one (a message batch's items, rows stored before lines were) are listed by ROW.
 */
export function rowErrors(errors: RowError[], count: number, shown = 10): string {
  const first = errors.slice(0, shown);
  const more = count - first.length;
  const byLine = first.every((e) => e.line !== undefined);
  return [
    table(
      [byLine ? 'LINE' : 'ROW', 'FIELD', 'MESSAGE'],
      first.map((e) => [String(byLine ? e.line : e.row), e.field, e.message]),
    ),
    ...(more > 0 ? [`… and ${more} more`] : []),
  ].join('\n');
}

const REPLAYED = ' (replayed: this idempotency key created it before)';

export function uploadSummary(r: UploadResult): string {
  const head = r.dry_run
    ? `dry run of "${r.name}": nothing stored or sent`
    : `campaign ${r.id} "${r.name}" ${r.status}${r.replayed ? REPLAYED : ''}`;
  const lines = [
    head,
    `rows: ${r.total} read, ${r.accepted} accepted, ${r.rejected} rejected, ${plural(r.duplicates, 'duplicate')}` +
      `${r.suppressed ? `, ${r.suppressed} suppressed` : ''}`,
  ];
  if (r.in_window) lines.push(`${r.in_window} of ${r.accepted} inside their 24-hour window`);
  const countries = countriesLine(r);
  if (countries) lines.push(countries);
  if (r.rejected > 0) lines.push(`rejected rows:`, rowErrors(r.errors, r.rejected));
  return lines.join('\n');
}

/** `countries: IN 95 · SG 2 (bare numbers read in IN, inferred from the file)`. */
function countriesLine(r: UploadResult): string | undefined {
  const entries = Object.entries(r.countries ?? {});
  if (entries.length === 0 && r.country === undefined) return undefined;
  const list = entries.map(([c, n]) => `${c} ${n}`).join(' · ') || 'none';
  const sources: Record<string, string> = {
    option: 'as asked',
    default: 'DEFAULT_COUNTRY_CODE',
    inferred: 'inferred from the file',
  };
  const source = sources[r.country_source ?? ''] ?? '';
  const how = r.country ? `bare numbers read in ${r.country}${source ? `, ${source}` : ''}` : 'no list country';
  return `countries: ${list} (${how})`;
}

export function campaignStatus(v: CampaignView): string {
  const c = v.counts;
  const lines = [
    `${v.id}  "${v.name}"  ${v.status}${v.paused_reason ? ` (${v.paused_reason})` : ''}`,
    `progress  ${done(v)}/${c.total} (${percent(v)})  ` +
      `sent ${c.sent} · failed ${c.failed} · skipped ${c.skipped ?? 0} · pending ${c.pending} · ` +
      `cancelled ${c.cancelled}`,
    `delivery  delivered ${c.delivered} · read ${c.read} · failed ${c.delivery_failed}`,
    `rate      ${v.rate} msg/s · ETA ${duration(v.eta_seconds)}`,
    `rows      ${v.rows.total} read · ${v.rows.accepted} accepted · ` +
      `${v.rows.rejected} rejected · ${v.rows.duplicates} duplicates` +
      `${v.rows.suppressed ? ` · ${v.rows.suppressed} suppressed` : ''}`,
    `created   ${v.created_at}${v.started_at ? ` · started ${v.started_at}` : ''}` +
      `${v.completed_at ? ` · ended ${v.completed_at}` : ''}`,
  ];
  if (v.quiet_hours) {
    const until = v.waiting_until ? ` until ${v.waiting_until}` : '';
    lines.push(`quiet     ${v.quiet_hours} local time · ${c.waiting} waiting${until}`);
  }
  if (v.image_url) lines.push(`image     ${v.image_url}`);
  lines.push(...reasonLines('failures  ', v.failure_reasons), ...reasonLines('skipped   ', v.skip_reasons));
  return lines.join('\n');
}

export function campaignTable(views: CampaignView[]): string {
  if (views.length === 0) return 'no campaigns';
  return table(
    ['ID', 'STATUS', 'DONE', 'SENT', 'FAILED', 'SKIPPED', 'PENDING', 'RATE', 'CREATED', 'NAME'],
    views.map((v) => [
      v.id,
      v.status,
      `${done(v)}/${v.counts.total}`,
      String(v.counts.sent),
      String(v.counts.failed),
      String(v.counts.skipped ?? 0),
      String(v.counts.pending),
      String(v.rate),
      v.created_at.slice(0, 19).replace('T', ' '),
      v.name,
    ]),
  );
}

/** The line printed when a watched campaign ends. */
export function finalSummary(v: CampaignView): string {
  const c = v.counts;
  const started = v.started_at ? Date.parse(v.started_at) : NaN;
  const ended = v.completed_at ? Date.parse(v.completed_at) : NaN;
  const took = Number.isFinite(started) && Number.isFinite(ended) ? ` in ${duration((ended - started) / 1000)}` : '';
  const parts = [
    `${c.sent} sent`,
    `${c.failed} failed`,
    ...(c.skipped ? [`${c.skipped} skipped`] : []),
    ...(c.cancelled > 0 ? [`${c.cancelled} cancelled`] : []),
  ];
  const lines = [`${v.id} ${v.status}${took}: ${parts.join(', ')} of ${c.total}`];
  lines.push(...reasonLines('  ', v.failure_reasons), ...reasonLines('  skipped ', v.skip_reasons));
  return lines.join('\n');
}
