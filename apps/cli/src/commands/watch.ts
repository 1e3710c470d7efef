import type { Command } from 'commander';
import { finalSummary } from '../format';
import type { CliContext } from '../program';
import { follow, intervalOption } from './shared';

/** `sobot watch <id>`: a progress bar until the campaign ends. */
export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch <id>')
    .description('follow a campaign with a progress bar until it ends')
    .addOption(intervalOption())
    .action(async (id: string, o: { interval: number }) => {
      const final = await follow(ctx, ctx.client(), id, o.interval);
      if (final) ctx.print(final, finalSummary);
    });
}
