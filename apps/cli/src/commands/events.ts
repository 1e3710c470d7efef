import { InvalidArgumentError, type Command } from 'commander';
import type { EndpointTestResult, EventEndpointView, EventType } from '@sobot/client';
import { EXIT } from '../exit-codes';
import type { CliContext } from '../program';

const EVENT_TYPES: readonly EventType[] = [
  'message.sent',
  'message.failed',
  'message.skipped',
  'message.delivered',
  'message.read',
  'message.inbound',
  'campaign.completed',
  'campaign.paused',
  'sender.paused',
];

function eventList(value: string): EventType[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (list.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `not an event type: ${bad.join(', ') || '(none)'}; one of ${EVENT_TYPES.join(', ')}`,
    );
  }
  return list as EventType[];
}

const endpointLine = (e: EventEndpointView) =>
  [
    e.id,
    e.url,
    e.events.length === EVENT_TYPES.length ? 'all events' : e.events.join(','),
    e.campaign_id ?? '',
    e.description ?? '',
  ]
    .filter(Boolean)
    .join('  ');

const testLine = (r: EndpointTestResult) =>
  r.ok
    ? `delivered: the receiver answered ${r.status} in ${r.duration_ms} ms (webhook-id ${r.event_id})`
    : r.status !== null
      ? `not accepted: the receiver answered ${r.status} (webhook-id ${r.event_id})`
      : `not delivered: ${r.error} after ${r.duration_ms} ms`;

/**
 * The `events` command, made once: other files add their own subcommands to it (`events deliveries …`) with
 * `eventsCommand(program).command(…)`.
 */
export function eventsCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'events') ??
    program.command('events').description('outbound events: where they go and how they are signed')
  );
}

/** `sobot events endpoints list|add|remove|rotate|test` (SPEC §16). */
export function registerEventEndpoints(program: Command, ctx: CliContext): void {
  const endpoints = eventsCommand(program)
    .command('endpoints')
    .description('event endpoints (URLs that receive signed events)');

  endpoints
    .command('list')
    .description('every event endpoint (secrets are never shown again)')
    .action(async () => {
      const { endpoints: list } = await ctx.client().listEventEndpoints();
      ctx.print(list, (l) => (l.length === 0 ? 'no event endpoints' : l.map(endpointLine).join('\n')));
    });

  endpoints
    .command('add <url>')
    .description('register an endpoint; prints its signing secret once')
    .option('--events <list>', `comma-separated event types (default: all): ${EVENT_TYPES.join(', ')}`, eventList)
    .option('--campaign <id>', "only this campaign's events")
    .option('--description <text>', 'a note for people')
    .action(async (url: string, o: { events?: EventType[]; campaign?: string; description?: string }) => {
      const created = await ctx.client().createEventEndpoint({
        url,
        events: o.events,
        campaign_id: o.campaign,
        description: o.description,
      });
      ctx.print(
        created,
        (c) =>
          `${endpointLine(c)}\nsecret: ${c.secret}\nkeep the secret: it is shown only now (verifyEvent checks with it)`,
      );
    });

  endpoints
    .command('remove <id>')
    .description('remove an endpoint')
    .action(async (id: string) => {
      const removed = await ctx.client().removeEventEndpoint(id);
      ctx.print(removed, (r) => `removed ${r.id} (${r.url})`);
    });

  endpoints
    .command('rotate <id>')
    .description('a new signing secret; the previous one keeps signing for 24 h')
    .action(async (id: string) => {
      const rotated = await ctx.client().rotateEventEndpointSecret(id);
      ctx.print(
        rotated,
        (r) => `secret: ${r.secret}\nthe previous secret also signs until ${r.previous_secret_expires_at}`,
      );
    });

  endpoints
    .command('test <id>')
    .description('send a signed endpoint.test event now; exit 6 when the receiver did not answer 2xx')
    .action(async (id: string) => {
      const result = await ctx.client().testEventEndpoint(id);
      ctx.print(result, testLine);
      if (!result.ok) ctx.exitWith(EXIT.INCOMPLETE);
    });
}
