import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  REPORT_FORMATS,
  type CampaignView,
  type ControlResult,
  type ReportFormat,
  type SobotBulkClient,
} from '@sobot/client';
import { escapeControlDeep, escapeControlStream } from './control-chars';
import { EXIT, UsageError } from './exit-codes';
import { campaignStatus, campaignTable, finalSummary, uploadSummary } from './format';
import type { CliContext } from './program';
import { watchCampaign } from './watch';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

/** The most campaigns the API answers in one page. */
const PAGE_MAX = 200;
const CAMPAIGN_STATUS_NAMES = 'scheduled, queued, running, paused, cancelled, completed';

const intervalOption = () =>
  new Option('--interval <ms>', 'poll interval while watching').argParser(positiveInt).default(1000);

/** A local file the CLI can read, or a usage error that says why not. */
async function readableFile(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code || 'not a file';
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
}

/** Watches to the end; the exit code says how it ended (0 all sent, 6 failures or cancelled, 130 interrupted). */
async function follow(
  ctx: CliContext,
  client: SobotBulkClient,
  id: string,
  intervalMs: number,
): Promise<CampaignView | undefined> {
  const final = await watchCampaign(client, id, ctx.io, { intervalMs, quiet: ctx.json() });
  if (!final) {
    ctx.io.stderr.write(`stopped watching ${id}; the campaign goes on (sobot watch ${id})\n`);
    ctx.exitWith(EXIT.INTERRUPTED);
    return undefined;
  }
  ctx.exitWith(final.status === 'completed' && final.counts.failed === 0 ? EXIT.OK : EXIT.INCOMPLETE);
  return final;
}

interface UploadOptions {
  imageUrl?: string;
  caption?: string;
  mimeType?: string;
  name?: string;
  format?: 'csv' | 'json' | 'ndjson';
  strict?: boolean;
  dryRun?: boolean;
  nameFallback?: 'number' | 'none';
  country?: string;
  watch?: boolean;
  interval: number;
  idempotencyKey?: string;
  force?: boolean;
}

interface SendOptions {
  name: string;
  imageUrl: string;
  caption?: string;
  mimeType?: string;
  idempotencyKey?: string;
}

const CONTROL_ACTIONS = [
  ['pause', 'pause sending (in-flight messages finish)', (c: SobotBulkClient, id: string) => c.pause(id)],
  ['resume', 'resume a paused campaign (also lifts a system pause)', (c: SobotBulkClient, id: string) => c.resume(id)],
  ['cancel', 'cancel: pending recipients are never sent', (c: SobotBulkClient, id: string) => c.cancel(id)],
] as const;

const LEFT_REASONS: Record<string, string> = {
  permanent: 'permanent (the upstream refused the message)',
  no_wamid: 'answered without a wamid (may have been sent)',
  marketing_limit: 'marketing limit 131049 within 24 h',
};

/** What retry-failed took, and what it left and why (one line each). */
export function retryLines(v: ControlResult): string {
  const lines = [`${v.id}: ${v.retried ?? v.reset ?? 0} failed recipient(s) back to pending; ${v.status}`];
  const left = Object.entries(v.left ?? {}).filter(([, n]) => n > 0);
  if (left.length > 0) {
    const codes = (reason: string) =>
      Object.entries(v.by_code ?? {})
        .filter(([, c]) => c.reason === reason && c.left > 0)
        .map(([code, c]) => `${code} ×${c.left}`)
        .join(', ');
    for (const [reason, n] of left) lines.push(`  left ${n}: ${LEFT_REASONS[reason] ?? reason} — ${codes(reason)}`);
    if (v.include !== 'all' && left.some(([reason]) => reason !== 'marketing_limit'))
      lines.push('  --all sends those too (a message answered without a wamid may reach its customer twice)');
  }
  return lines.join('\n');
}

export function registerCommands(program: Command, ctx: CliContext): void {
  program
    .command('upload <file>')
    .description('create a campaign from a CSV, JSON or NDJSON recipient list (streamed)')
    .option('--image-url <url>', 'image for rows without their own url column')
    .option('--caption <text>', 'caption for rows without their own')
    .option('--mime-type <type>', 'image/jpeg or image/png (default: from the URL)')
    .option('--name <name>', 'campaign name (default: the file name)')
    .addOption(
      new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'json', 'ndjson']),
    )
    .option('--strict', 'reject the whole file if any row is invalid')
    .option('--dry-run', 'validate and count only: nothing is stored or sent')
    .addOption(
      new Option(
        '--name-fallback <mode>',
        '"number": a row without a name is sent with its number as the name',
      ).choices(['number', 'none']),
    )
    .option(
      '--country <code>',
      "the list's country (ISO 3166, e.g. IN): numbers without + or 00 are read in it " +
        "(default: the server's DEFAULT_COUNTRY_CODE, else inferred from the file)",
    )
    .option(
      '--idempotency-key <key>',
      'the same key never creates two campaigns (default: a new one per run, so that its own retries are safe)',
    )
    .option('--force', 'upload even when the same recipients and message were uploaded in the last 24 hours')
    .option('--watch', 'follow the campaign with a progress bar until it ends')
    .addOption(intervalOption())
    .action(async (file: string, o: UploadOptions) => {
      await readableFile(file);
      const client = ctx.client();
      const result = await client.createCampaign({
        idempotencyKey: o.idempotencyKey ?? (o.dryRun ? undefined : randomUUID()),
        file,
        imageUrl: o.imageUrl,
        caption: o.caption,
        mimeType: o.mimeType,
        name: o.name,
        format: o.format,
        strict: o.strict,
        dryRun: o.dryRun,
        nameFallback: o.nameFallback,
        force: o.force,
        country: o.country,
      });
      if (!o.watch || result.dry_run) return ctx.print(result, uploadSummary);
      if (!ctx.json()) ctx.io.stdout.write(`${uploadSummary(escapeControlDeep(result))}\n`);
      const final = await follow(ctx, client, result.id, o.interval);
      if (final) ctx.print({ ...result, campaign: final }, (r) => finalSummary(r.campaign));
    });

  program
    .command('watch <id>')
    .description('follow a campaign with a progress bar until it ends')
    .addOption(intervalOption())
    .action(async (id: string, o: { interval: number }) => {
      const final = await follow(ctx, ctx.client(), id, o.interval);
      if (final) ctx.print(final, finalSummary);
    });

  program
    .command('list')
    .description('campaigns, newest first')
    .addOption(new Option('--limit <n>', 'how many').argParser(positiveInt).default(50))
    .option('--status <list>', `only these statuses, comma-separated (${CAMPAIGN_STATUS_NAMES})`)
    .option('--cursor <cursor>', 'go on after the page that printed this cursor')
    .option('--all', 'every campaign (with --status: every one with these statuses), page after page')
    .action(async (o: { limit: number; status?: string; cursor?: string; all?: boolean }) => {
      const client = ctx.client();
      const status = o.status
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const want = o.all ? Infinity : o.limit;
      const campaigns: CampaignView[] = [];
      let cursor = o.cursor;
      do {
        const page = await client.listCampaigns({ limit: Math.min(PAGE_MAX, want - campaigns.length), cursor, status });
        campaigns.push(...page.campaigns);
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined && campaigns.length < want);
      ctx.print(campaigns, campaignTable);
      // The next page's cursor goes to stderr: stdout stays the list (a table, or JSON with --json).
      if (cursor !== undefined && !ctx.json()) {
        const filter = o.status ? ` --status ${escapeControlDeep(o.status)}` : '';
        ctx.io.stderr.write(
          `more campaigns: sobot list --limit ${o.limit}${filter} --cursor ${escapeControlDeep(cursor)}\n`,
        );
      }
    });

  program
    .command('status <id>')
    .description('status, counts, rate and ETA of a campaign')
    .action(async (id: string) => {
      const view = await ctx.client().getCampaign(id);
      ctx.print(view, campaignStatus);
    });

  for (const [action, description, call] of CONTROL_ACTIONS) {
    program
      .command(`${action} <id>`)
      .description(description)
      .action(async (id: string) => {
        const view = await call(ctx.client(), id);
        ctx.print(view, (v) => `${v.id} ${v.status}`);
      });
  }

  program
    .command('retry-failed <id>')
    .description(
      'put the failed recipients a new request can fix back to pending (timeouts, 5xx, throttles); ' +
        'permanent refusals and answers without a wamid stay failed unless --all',
    )
    .option('--all', 'also the permanent failures and those answered without a wamid (they may have been sent)')
    .addOption(new Option('--include <which>', 'which failures to take').choices(['retryable', 'all']))
    .action(async (id: string, o: { all?: boolean; include?: 'retryable' | 'all' }) => {
      const include = o.all ? 'all' : o.include;
      const view = await ctx.client().retryFailed(id, include ? { include } : {});
      ctx.print(view, retryLines);
    });

  program
    .command('report <id>')
    .description('one row per recipient (number, name, status, wamid, error, attempts), streamed')
    .addOption(
      new Option('--format <format>', 'report format (default: xlsx for an -o file ending .xlsx, else csv)').choices(
        REPORT_FORMATS,
      ),
    )
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .action(async (id: string, o: { format?: ReportFormat; output?: string }) => {
      const client = ctx.client();
      const format = o.format ?? (o.output?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
      if (o.output) {
        const { bytes } = await client.downloadReport(id, format, o.output);
        return ctx.print(
          { id, format, file: o.output, bytes },
          (r) => `wrote the ${r.format} report of ${r.id} to ${r.file} (${r.bytes} bytes)`,
        );
      }
      // A workbook is a zip: escaping would break it, and a terminal would show noise.
      if (format === 'xlsx') throw new UsageError('an xlsx report is a file: give -o <file>.xlsx');
      const body = await client.reportStream(id, format);
      try {
        await pipeline(body, escapeControlStream(), ctx.io.stdout, { end: false });
      } catch (err) {
        // The reader went away (`| head`): not an error of ours.
        if (!(err instanceof Error && 'code' in err && err.code === 'EPIPE')) throw err;
      }
    });

  program
    .command('send <number>')
    .description('send one image message (an idempotency key makes a repeated call send nothing twice)')
    .requiredOption('--name <name>', 'customer name')
    .requiredOption('--image-url <url>', 'image URL')
    .option('--caption <text>', 'caption')
    .option('--mime-type <type>', 'image/jpeg or image/png (default: from the URL)')
    .option('--idempotency-key <key>', 'the same key never sends twice (default: a random one)')
    .action(async (number: string, o: SendOptions) => {
      const result = await ctx.client().sendMessages(
        {
          customer_number: number,
          customer_name: o.name,
          url: o.imageUrl,
          caption: o.caption,
          mime_type: o.mimeType,
        },
        { idempotencyKey: o.idempotencyKey },
      );
      ctx.print(result, (r) => {
        const replayed = r.replayed ? ' (replayed: this idempotency key was used before, nothing new was sent)' : '';
        return `queued message ${r.ids.join(', ')} in campaign ${r.campaign_id}${replayed}`;
      });
    });

  const suppress = program
    .command('suppress')
    .description('the suppression list: numbers never messaged (add, remove, show, list, import, export)');
  suppress
    .command('add <numbers...>')
    .description('suppress numbers (all or nothing: an invalid number refuses the call)')
    .option('--reason <text>', 'kept with each number')
    .action(async (numbers: string[], o: { reason?: string }) => {
      const r = await ctx.client().suppress(numbers, { reason: o.reason });
      ctx.print(r, (x) => `${x.added} suppressed, ${x.already} already suppressed`);
    });
  suppress
    .command('remove <number>')
    .description("lift a number's suppression")
    .action(async (number: string) => {
      const removed = await ctx.client().unsuppress(number);
      ctx.print({ number, removed }, (x) =>
        x.removed ? `${x.number} no longer suppressed` : `${x.number} was not suppressed`,
      );
      if (!removed) ctx.exitWith(EXIT.INCOMPLETE);
    });
  suppress
    .command('show <number>')
    .description("a number's suppression (exit 6 when it is not suppressed)")
    .action(async (number: string) => {
      const s = await ctx.client().getSuppression(number);
      ctx.print(s, (x) =>
        x
          ? `${x.number} suppressed since ${x.suppressed_at} by ${x.source}${x.reason ? ` (${x.reason})` : ''}`
          : 'not suppressed',
      );
      if (!s) ctx.exitWith(EXIT.INCOMPLETE);
    });
  suppress
    .command('list')
    .description('one page of the list (--cursor for the next)')
    .option('--limit <n>', 'numbers per page', positiveInt, 100)
    .option('--cursor <cursor>', 'the next_cursor of the previous page')
    .action(async (o: { limit: number; cursor?: string }) => {
      const page = await ctx.client().listSuppressions({ limit: o.limit, cursor: o.cursor });
      ctx.print(page, (p) =>
        [
          ...p.suppressions.map((x) => `${x.number}  ${x.suppressed_at}  ${x.source}  ${x.reason ?? ''}`.trimEnd()),
          `${p.total} suppressed${p.next_cursor ? ` · next page: --cursor ${p.next_cursor}` : ''}`,
        ].join('\n'),
      );
    });
  suppress
    .command('import <file>')
    .description('suppress the numbers of a CSV with a number column (all or nothing: a bad row refuses the file)')
    .option('--reason <text>', 'kept with each number')
    .option('--phone-column <header>', 'the number column, when several headers could be')
    .action(async (file: string, o: { reason?: string; phoneColumn?: string }) => {
      await readableFile(file);
      const r = await ctx.client().importSuppressions({ file }, o);
      ctx.print(r, (x) => {
        const head = `${x.received} read: ${x.added} suppressed, ${x.already} already, ${x.rejected} rejected`;
        return [head, ...x.errors.slice(0, 10).map((e) => `  row ${e.row}: ${e.field} ${e.message}`)].join('\n');
      });
    });
  suppress
    .command('export')
    .description('the whole list as CSV (number,reason,suppressed_at), streamed to stdout')
    .action(async () => {
      const body = await ctx.client().exportSuppressions();
      await pipeline(body, escapeControlStream(), ctx.io.stdout, { end: false });
    });

  program
    .command('message <id>')
    .description('status, wamid and delivery status of one message')
    .action(async (id: string) => {
      ctx.print(await ctx.client().getMessage(id), (m) => {
        const error = m.error_code ? ` · error ${m.error_code}${m.error_message ? `: ${m.error_message}` : ''}` : '';
        const wamid = `wamid ${m.wamid ?? '–'} · delivery ${m.delivery_status ?? '–'}`;
        return `${m.id} ${m.customer_number} ${m.status} · ${wamid} · attempts ${m.attempts}${error}`;
      });
    });
}
