import type { Command } from 'commander';
import type { CliContext } from '../program';
import { rowsCommand } from './shared';

/**
 * `sobot rejected <id> [-o file]`: the rows an upload rejected. For a CSV or .xlsx upload, its own columns with each
 * rejected row's cells, then line,field,message: fix the cells in a spreadsheet and upload the file as it is.
 */
export function registerRejected(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('rejected <id>')
    .description(
      "the rows the upload rejected, with the file's own columns and cells plus line,field,message: " +
        'fix them in a spreadsheet and upload the file again',
    );
  rowsCommand(cmd, ctx, (client) => ({
    stream: (id, format) => client.rejectedStream(id, format),
    download: (id, format, path) => client.downloadRejected(id, format, path),
    wrote: (r) => `wrote the rejected rows of ${r.id} to ${r.file} (${r.format}, ${r.bytes} bytes)`,
    what: 'file',
  }));
}
