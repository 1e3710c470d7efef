import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { InvalidArgumentError, Option } from 'commander';
import type { CampaignView, SobotBulkClient } from '@sobot/client';
import { EXIT, UsageError } from '../exit-codes';
import type { CliContext } from '../program';
import { watchCampaign } from '../watch';

/** What several commands share: argument parsers, the --interval option, file checks, following a campaign. */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export const intervalOption = () =>
  new Option('--interval <ms>', 'poll interval while watching').argParser(positiveInt).default(1000);

/** A local file the CLI can read, or a usage error that says why not. */
export async function readableFile(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code || 'not a file';
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
}

/** Watches to the end; the exit code says how it ended (0 all sent, 6 failures or cancelled, 130 interrupted). */
export async function follow(
  ctx: CliContext,
  client: SobotBulkClient,
  id: string,
  intervalMs: number,
): Promise<CampaignView | undefined> {
  const final = await watchCampaign(client, id, ctx.io, { intervalMs, quiet: ctx.json() });
  if (!final) {
    ctx.io.stderr.write(`stopped watching ${id}; the campaign goes on (sobot watch ${id})\n`);
    ctx.exitWith(EXIT.INTERRUPTED);
    return undefined;
  }
  ctx.exitWith(final.status === 'completed' && final.counts.failed === 0 ? EXIT.OK : EXIT.INCOMPLETE);
  return final;
}
