import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Lane } from '@sobot/client';
import { escapeControlDeep } from '../control-chars';
import { finalSummary, uploadSummary } from '../format';
import type { CliContext } from '../program';
import { follow, intervalOption, positiveInt, readableFile } from './shared';

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
  phoneColumn?: string;
  nameColumn?: string;
  headerRow?: number;
  sendAt?: string;
  quietHours?: string;
  window?: 'send' | 'skip';
  weight?: number;
  lane?: Lane;
  preflight?: boolean;
  canary?: number;
  canaryMaxFailureRatio?: number;
  sender?: string;
  senders?: string;
}

function ratio(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('must be a number from 0 to 1 (0.2 = 20%)');
  return n;
}

/** `sobot upload <file>`: a campaign from a recipient list (POST /v1/campaigns). */
export function registerUpload(program: Command, ctx: CliContext): void {
  program
    .command('upload <file>')
    .description('create a campaign from a CSV, .xlsx, JSON or NDJSON recipient list (streamed)')
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
    .option('--phone-column <header>', 'the phone column, when several headers could be (AMBIGUOUS_PHONE_COLUMN)')
    .option('--name-column <header>', 'the name column (default: the first name-like header)')
    .addOption(
      new Option(
        '--header-row <line>',
        'the line of the sheet that holds the header, as a spreadsheet numbers it; lines above are titles ' +
          '(default: the first of the first 20 lines with a phone column)',
      ).argParser(positiveInt),
    )
    .option('--send-at <time>', 'nothing is sent before this time (RFC 3339 with an offset: 2027-01-31T09:00:00+05:30)')
    .option(
      '--quiet-hours <HH:MM-HH:MM>',
      "each recipient's local hours when nothing is sent to it, e.g. 21:00-09:00; off: none (default: QUIET_HOURS)",
    )
    .addOption(
      new Option(
        '--window <rule>',
        'skip: recipients outside their 24-hour window at send time are skipped (OUTSIDE_WINDOW); default send',
      ).choices(['send', 'skip']),
    )
    .addOption(
      new Option('--weight <n>', 'share of the bulk rate against other running campaigns (1-100, default 1)').argParser(
        positiveInt,
      ),
    )
    .addOption(
      new Option('--lane <lane>', 'transactional: jump ahead of every bulk campaign (default bulk)').choices([
        'bulk',
        'transactional',
      ]),
    )
    .option('--sender <id>', 'send through this sender (a Sobot account of SENDERS); default every active sender')
    .option('--senders <ids>', 'send through these senders, comma-separated')
    .option('--preflight', 'check the image (reachable, JPEG or PNG, at most 5 MB) before the list is accepted')
    .addOption(
      new Option(
        '--canary <n>',
        'send the first n recipients (whole chunks of 200) first; the rest goes only if few of them fail',
      ).argParser(positiveInt),
    )
    .addOption(
      new Option(
        '--canary-max-failure-ratio <ratio>',
        'the share of canary messages allowed to fail (0-1, default 0.2)',
      ).argParser(ratio),
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
        phoneColumn: o.phoneColumn,
        nameColumn: o.nameColumn,
        headerRow: o.headerRow,
        sendAt: o.sendAt,
        quietHours: o.quietHours,
        window: o.window,
        weight: o.weight,
        lane: o.lane,
        preflight: o.preflight,
        canary: o.canary,
        canaryMaxFailureRatio: o.canaryMaxFailureRatio,
        senders: [o.sender, o.senders].filter((x): x is string => Boolean(x)).join(',') || undefined,
      });
      if (!o.watch || result.dry_run) return ctx.print(result, uploadSummary);
      if (!ctx.json()) ctx.io.stdout.write(`${uploadSummary(escapeControlDeep(result))}\n`);
      const final = await follow(ctx, client, result.id, o.interval);
      if (final) ctx.print({ ...result, campaign: final }, (r) => finalSummary(r.campaign));
    });
}
