import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { REPORT_FORMATS, type CampaignView, type ReportFormat, type SobotBulkClient } from '@sobot/client';
import { escapeControlStream } from '../control-chars';
import { EXIT, UsageError } from '../exit-codes';
import type { CliContext } from '../program';
import { watchCampaign } from '../watch';

/** What several commands share: argument parsers, the --interval option, file checks, following a campaign. */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export const intervalOption = () =>
  new Option('--interval <ms>', 'poll interval while watching').argParser(positiveInt).default(1000);

/** A local file the CLI can read, or a usage error that says why not. */
export async function readableFile(path: string): Promise<void> {
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
export async function follow(
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

/** How a rows command (report, rejected) gets its rows: a stream to print, or a download to a file. */
export interface RowsSource {
  stream(id: string, format: ReportFormat): Promise<NodeJS.ReadableStream>;
  download(id: string, format: ReportFormat, path: string): Promise<{ bytes: number }>;
  /** The line printed after a download, e.g. `wrote the csv report of <id> to <file> (… bytes)`. */
  wrote(r: { id: string; format: ReportFormat; file: string; bytes: number }): string;
  /** What the usage error calls an xlsx written to a terminal. */
  what: string;
}

/**
 * `<command> <id> [--format] [-o file]`: rows in a format (default xlsx for an `-o` file ending .xlsx, else csv),
 * streamed to stdout with control characters escaped, or written to a file.
 */
export function rowsCommand(cmd: Command, ctx: CliContext, source: (c: SobotBulkClient) => RowsSource): void {
  cmd
    .addOption(
      new Option('--format <format>', 'format (default: xlsx for an -o file ending .xlsx, else csv)').choices(
        REPORT_FORMATS,
      ),
    )
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .action(async (id: string, o: { format?: ReportFormat; output?: string }) => {
      const rows = source(ctx.client());
      const format = o.format ?? (o.output?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
      if (o.output) {
        const { bytes } = await rows.download(id, format, o.output);
        return ctx.print({ id, format, file: o.output, bytes }, rows.wrote);
      }
      // A workbook is a zip: escaping would break it, and a terminal would show noise.
      if (format === 'xlsx') throw new UsageError(`an xlsx ${rows.what} is a file: give -o <file>.xlsx`);
      try {
        await pipeline(await rows.stream(id, format), escapeControlStream(), ctx.io.stdout, { end: false });
      } catch (err) {
        // The reader went away (`| head`): not an error of ours.
        if (!(err instanceof Error && 'code' in err && err.code === 'EPIPE')) throw err;
      }
    });
}
