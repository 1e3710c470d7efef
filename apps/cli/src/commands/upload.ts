import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import { escapeControlDeep } from '../control-chars';
import { finalSummary, uploadSummary } from '../format';
import type { CliContext } from '../program';
import { follow, intervalOption, readableFile } from './shared';

interface UploadOptions {
  imageUrl?: string;
  caption?: string;
  mimeType?: string;
  name?: string;
  format?: 'csv' | 'json' | 'ndjson';
  strict?: boolean;
  dryRun?: boolean;
  nameFallback?: 'number' | 'none';
  country?: string;
  watch?: boolean;
  interval: number;
  idempotencyKey?: string;
  force?: boolean;
}

/** `sobot upload <file>`: a campaign from a recipient list (POST /v1/campaigns). */
export function registerUpload(program: Command, ctx: CliContext): void {
  program
    .command('upload <file>')
    .description('create a campaign from a CSV, JSON or NDJSON recipient list (streamed)')
    .option('--image-url <url>', 'image for rows without their own url column')
    .option('--caption <text>', 'caption for rows without their own')
    .option('--mime-type <type>', 'image/jpeg or image/png (default: from the URL)')
    .option('--name <name>', 'campaign name (default: the file name)')
    .addOption(
      new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'json', 'ndjson']),
    )
    .option('--strict', 'reject the whole file if any row is invalid')
    .option('--dry-run', 'validate and count only: nothing is stored or sent')
    .addOption(
      new Option(
        '--name-fallback <mode>',
        '"number": a row without a name is sent with its number as the name',
      ).choices(['number', 'none']),
    )
    .option(
      '--country <code>',
      "the list's country (ISO 3166, e.g. IN): numbers without + or 00 are read in it " +
        "(default: the server's DEFAULT_COUNTRY_CODE, else inferred from the file)",
    )
    .option(
      '--idempotency-key <key>',
      'the same key never creates two campaigns (default: a new one per run, so that its own retries are safe)',
    )
    .option('--force', 'upload even when the same recipients and message were uploaded in the last 24 hours')
    .option('--watch', 'follow the campaign with a progress bar until it ends')
    .addOption(intervalOption())
    .action(async (file: string, o: UploadOptions) => {
      await readableFile(file);
      const client = ctx.client();
      const result = await client.createCampaign({
        idempotencyKey: o.idempotencyKey ?? (o.dryRun ? undefined : randomUUID()),
        file,
        imageUrl: o.imageUrl,
        caption: o.caption,
        mimeType: o.mimeType,
        name: o.name,
        format: o.format,
        strict: o.strict,
        dryRun: o.dryRun,
        nameFallback: o.nameFallback,
        force: o.force,
        country: o.country,
      });
      if (!o.watch || result.dry_run) return ctx.print(result, uploadSummary);
      if (!ctx.json()) ctx.io.stdout.write(`${uploadSummary(escapeControlDeep(result))}\n`);
      const final = await follow(ctx, client, result.id, o.interval);
      if (final) ctx.print({ ...result, campaign: final }, (r) => finalSummary(r.campaign));
    });
}
