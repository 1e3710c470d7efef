import type { Command } from 'commander';
import type { SenderList, SenderView } from '@sobot/client';
import type { CliContext } from '../program';

const budget = (s: { used_24h: number; remaining_24h: number | null; next_release_at: string | null }) =>
  s.remaining_24h === null
    ? `${s.used_24h} new numbers in 24 h (no limit)`
    : `${s.used_24h} used, ${s.remaining_24h} left in 24 h` + (s.next_release_at ? `, frees ${s.next_release_at}` : '');

const senderLine = (s: SenderView) =>
  [
    s.id,
    `${s.rate}/s`,
    s.portfolio,
    s.state === 'paused' ? `PAUSED: ${s.paused_reason ?? s.paused_code ?? ''}` : 'active',
    s.slowed_until ? `slowed by half until ${s.slowed_until}` : '',
    `${s.in_flight} in flight`,
  ]
    .filter(Boolean)
    .join('  ');

const listText = (l: SenderList) =>
  l.senders.length === 0
    ? 'no senders registered yet (a worker registers them when it starts)'
    : [...l.senders.map(senderLine), '', ...l.portfolios.map((p) => `portfolio ${p.portfolio}: ${budget(p)}`)].join(
        '\n',
      );

/** `sobot senders [list]`, `sobot senders resume <id>` (SPEC §15). */
export function registerSenderCommands(program: Command, ctx: CliContext): void {
  const senders = program
    .command('senders')
    .description('the senders (WhatsApp numbers): state, in-flight requests, 24 h messaging budget')
    .action(async () => {
      const list = await ctx.client().listSenders();
      ctx.print(list, listText);
    });
  senders
    .command('list')
    .description('every sender and its portfolio budget (key pairs are never shown)')
    .action(async () => {
      const list = await ctx.client().listSenders();
      ctx.print(list, listText);
    });
  senders
    .command('resume <id>')
    .description('resume a paused sender (and the campaigns paused NO_ACTIVE_SENDER)')
    .action(async (id: string) => {
      const s = await ctx.client().resumeSender(id);
      ctx.print(s, senderLine);
    });
}
