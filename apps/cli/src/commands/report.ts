import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { REPORT_FORMATS, type ReportFormat } from '@sobot/client';
import { escapeControlStream } from '../control-chars';
import { UsageError } from '../exit-codes';
import type { CliContext } from '../program';

/** `sobot report <id> [--format] [-o file]`: one row per recipient, streamed. */
export function registerReport(program: Command, ctx: CliContext): void {
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
}
