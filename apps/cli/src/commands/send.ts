import type { Command } from 'commander';
import type { CliContext } from '../program';

interface SendOptions {
  name: string;
  imageUrl: string;
  caption?: string;
  mimeType?: string;
  idempotencyKey?: string;
}

/** `sobot send <number>`: one image message (POST /v1/messages). */
export function registerSend(program: Command, ctx: CliContext): void {
  program
    .command('send <number>')
    .description('send one image message (an idempotency key makes a repeated call send nothing twice)')
    .requiredOption('--name <name>', 'customer name')
    .requiredOption('--image-url <url>', 'image URL')
    .option('--caption <text>', 'caption')
    .option('--mime-type <type>', 'image/jpeg or image/png (default: from the URL)')
    .option('--idempotency-key <key>', 'the same key never sends twice (default: a random one)')
    .action(async (number: string, o: SendOptions) => {
      const result = await ctx.client().sendMessages(
        {
          customer_number: number,
          customer_name: o.name,
          url: o.imageUrl,
          caption: o.caption,
          mime_type: o.mimeType,
        },
        { idempotencyKey: o.idempotencyKey },
      );
      ctx.print(result, (r) => {
        const replayed = r.replayed ? ' (replayed: this idempotency key was used before, nothing new was sent)' : '';
        return `queued message ${r.ids.join(', ')} in campaign ${r.campaign_id}${replayed}`;
      });
    });
}
