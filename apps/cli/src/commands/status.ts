import type { Command } from 'commander';
import { campaignStatus } from '../format';
import type { CliContext } from '../program';

/** `sobot status <id>`: one campaign's counts, rate, ETA and reasons. */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status <id>')
    .description('status, counts, rate and ETA of a campaign')
    .action(async (id: string) => {
      const view = await ctx.client().getCampaign(id);
      ctx.print(view, campaignStatus);
    });
}
