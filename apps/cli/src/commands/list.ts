import { Option, type Command } from 'commander';
import type { CampaignView } from '@sobot/client';
import { escapeControlDeep } from '../control-chars';
import { campaignTable } from '../format';
import type { CliContext } from '../program';
import { positiveInt } from './shared';

/** The most campaigns the API answers in one page. */
const PAGE_MAX = 200;
const CAMPAIGN_STATUS_NAMES = 'scheduled, queued, running, paused, cancelled, completed';

/** `sobot list`: campaigns, newest first, page after page. */
export function registerList(program: Command, ctx: CliContext): void {
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
}
