import { InvalidArgumentError, type Command } from 'commander';
import type { DeliveryState, EventDelivery } from '@sobot/client';
import { UsageError } from '../exit-codes';
import type { CliContext } from '../program';

const STATES: readonly DeliveryState[] = ['failed', 'pending', 'succeeded'];

function state(value: string): DeliveryState {
  if (!(STATES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${STATES.join(', ')}`);
  }
  return value as DeliveryState;
}

function limit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('a whole number from 1 to 1000');
  return n;
}

const deliveryLine = (d: EventDelivery) =>
  [
    d.id,
    d.type,
    `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`,
    d.status === 'pending' ? `next ${d.at}` : `${d.status} ${d.at}`,
    d.last_status !== null ? `last ${d.last_status}` : (d.last_error ?? ''),
  ]
    .filter(Boolean)
    .join('  ');

/**
 * `sobot events deliveries <endpoint>` and `sobot events replay <endpoint>` (SPEC §16): list an endpoint's failed
 * (or pending, succeeded) deliveries and send failed ones again. Added under the `events` command.
 */
export function registerEventDeliveryCommands(program: Command, ctx: CliContext): void {
  const events = program.commands.find((c) => c.name() === 'events') ?? program.command('events');

  events
    .command('deliveries <endpoint>')
    .description("an endpoint's deliveries: failed (default, newest first), pending or succeeded")
    .option('--status <state>', `one of ${STATES.join(', ')}`, state, 'failed' as DeliveryState)
    .option('--limit <n>', 'at most this many (1-1000)', limit, 100)
    .action(async (endpoint: string, o: { status: DeliveryState; limit: number }) => {
      const { deliveries } = await ctx.client().listEventDeliveries(endpoint, { status: o.status, limit: o.limit });
      ctx.print(deliveries, (l) => (l.length === 0 ? `no ${o.status} deliveries` : l.map(deliveryLine).join('\n')));
    });

  events
    .command('replay <endpoint>')
    .description('send failed deliveries again: one (--id) or all failed since a time (--since); re-enables it')
    .option('--id <delivery>', 'the id (webhook-id) of one failed delivery')
    .option('--since <time>', 'ISO 8601 time: every delivery that failed since then')
    .action(async (endpoint: string, o: { id?: string; since?: string }) => {
      if ((o.id === undefined) === (o.since === undefined)) throw new UsageError('give --id or --since (one of them)');
      if (o.since !== undefined && Number.isNaN(Date.parse(o.since))) {
        throw new UsageError(`--since: not an ISO 8601 time: ${o.since}`);
      }
      const which = o.id !== undefined ? { delivery_id: o.id } : { since: new Date(o.since!).toISOString() };
      const result = await ctx.client().replayEventDeliveries(endpoint, which);
      ctx.print(result, (r) => `replayed ${r.replayed} deliver${r.replayed === 1 ? 'y' : 'ies'}: due now`);
    });
}
