import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { REPORT_FORMATS, type ReportFormat } from '@sobot/client';
import { escapeControlStream } from '../control-chars';
import { UsageError } from '../exit-codes';
import type { CliContext } from '../program';

/**
 * `sobot rejected <id> [-o file]`: the rows an upload rejected. For a CSV or .xlsx upload, its own columns with each
 * rejected row's cells, then line,field,message: fix the cells in a spreadsheet and upload the file as it is.
 */
export function registerRejected(program: Command, ctx: CliContext): void {
  program
    .command('rejected <id>')
    .description(
      "the rows the upload rejected, with the file's own columns and cells plus line,field,message: " +
        'fix them in a spreadsheet and upload the file again',
    )
    .addOption(
      new Option('--format <format>', 'format (default: xlsx for an -o file ending .xlsx, else csv)').choices(
        REPORT_FORMATS,
      ),
    )
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .action(async (id: string, o: { format?: ReportFormat; output?: string }) => {
      const client = ctx.client();
      const format = o.format ?? (o.output?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
      if (o.output) {
        const { bytes } = await client.downloadRejected(id, format, o.output);
        return ctx.print(
          { id, format, file: o.output, bytes },
          (r) => `wrote the rejected rows of ${r.id} to ${r.file} (${r.format}, ${r.bytes} bytes)`,
        );
      }
      if (format === 'xlsx') throw new UsageError('an xlsx file is a file: give -o <file>.xlsx');
      const body = await client.rejectedStream(id, format);
      try {
        await pipeline(body, escapeControlStream(), ctx.io.stdout, { end: false });
      } catch (err) {
        if (!(err instanceof Error && 'code' in err && err.code === 'EPIPE')) throw err;
      }
    });
}
