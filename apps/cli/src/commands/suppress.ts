import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { escapeControlStream } from '../control-chars';
import { EXIT } from '../exit-codes';
import type { CliContext } from '../program';
import { positiveInt, readableFile } from './shared';

/** `sobot suppress add|remove|show|list|import|export` (SPEC §12). */
export function registerSuppress(program: Command, ctx: CliContext): void {
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
}
