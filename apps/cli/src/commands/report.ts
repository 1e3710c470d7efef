import type { Command } from 'commander';
import type { CliContext } from '../program';
import { rowsCommand } from './shared';

/** `sobot report <id> [--format] [-o file]`: one row per recipient, streamed. */
export function registerReport(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('report <id>')
    .description('one row per recipient (number, name, status, wamid, error, attempts), streamed');
  rowsCommand(cmd, ctx, (client) => ({
    stream: (id, format) => client.reportStream(id, format),
    download: (id, format, path) => client.downloadReport(id, format, path),
    wrote: (r) => `wrote the ${r.format} report of ${r.id} to ${r.file} (${r.bytes} bytes)`,
    what: 'report',
  }));
}
