import type { Command } from 'commander';
import type { CliContext } from '../program';

/** `sobot message <id>`: one message's status, wamid and delivery status. */
export function registerMessage(program: Command, ctx: CliContext): void {
  program
    .command('message <id>')
    .description('status, wamid and delivery status of one message')
    .action(async (id: string) => {
      ctx.print(await ctx.client().getMessage(id), (m) => {
        const error = m.error_code ? ` · error ${m.error_code}${m.error_message ? `: ${m.error_message}` : ''}` : '';
        const wamid = `wamid ${m.wamid ?? '–'} · delivery ${m.delivery_status ?? '–'}`;
        const line = `${m.id} ${m.customer_number} ${m.status} · ${wamid} · attempts ${m.attempts}${error}`;
        return m.error_hint ? `${line}\n  → ${m.error_hint}` : line;
      });
    });
}
