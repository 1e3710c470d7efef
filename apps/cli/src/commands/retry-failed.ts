import { Option, type Command } from 'commander';
import type { ControlResult } from '@sobot/client';
import type { CliContext } from '../program';

const LEFT_REASONS: Record<string, string> = {
  permanent: 'permanent (the upstream refused the message)',
  no_wamid: 'answered without a wamid (may have been sent)',
  marketing_limit: 'marketing limit 131049 within 24 h',
};

/** What retry-failed took, and what it left and why (one line each). */
export function retryLines(v: ControlResult): string {
  const lines = [`${v.id}: ${v.retried ?? v.reset ?? 0} failed recipient(s) back to pending; ${v.status}`];
  const left = Object.entries(v.left ?? {}).filter(([, n]) => n > 0);
  if (left.length > 0) {
    const codes = (reason: string) =>
      Object.entries(v.by_code ?? {})
        .filter(([, c]) => c.reason === reason && c.left > 0)
        .map(([code, c]) => `${code} ×${c.left}`)
        .join(', ');
    for (const [reason, n] of left) lines.push(`  left ${n}: ${LEFT_REASONS[reason] ?? reason} — ${codes(reason)}`);
    if (v.include !== 'all' && left.some(([reason]) => reason !== 'marketing_limit'))
      lines.push('  --all sends those too (a message answered without a wamid may reach its customer twice)');
  }
  return lines.join('\n');
}

/** `sobot retry-failed <id> [--all]`. */
export function registerRetryFailed(program: Command, ctx: CliContext): void {
  program
    .command('retry-failed <id>')
    .description(
      'put the failed recipients a new request can fix back to pending (timeouts, 5xx, throttles); ' +
        'permanent refusals and answers without a wamid stay failed unless --all',
    )
    .option('--all', 'also the permanent failures and those answered without a wamid (they may have been sent)')
    .addOption(new Option('--include <which>', 'which failures to take').choices(['retryable', 'all']))
    .action(async (id: string, o: { all?: boolean; include?: 'retryable' | 'all' }) => {
      const include = o.all ? 'all' : o.include;
      const view = await ctx.client().retryFailed(id, include ? { include } : {});
      ctx.print(view, retryLines);
    });
}
