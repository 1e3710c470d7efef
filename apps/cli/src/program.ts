import { Command, CommanderError, Option } from 'commander';
import { SobotBulkApiError, SobotBulkClient, SobotBulkError, type RowError } from '@sobot/client';
import { registerCommands } from './commands';
import { registerEventCommands } from './events';
import { registerEventDeliveryCommands } from './commands/event-deliveries';
import { escapeControl, escapeControlDeep, safeJson } from './control-chars';
import { EXIT, EXIT_CODES_HELP, UsageError, exitCodeFor } from './exit-codes';
import { rowErrors } from './format';
import { processIo, type Io } from './io';

export const DEFAULT_API = 'http://127.0.0.1:3000';

interface GlobalOptions {
  api: string;
  token?: string;
  json?: boolean;
}

/** What every command gets: the client, the output mode, and a way to set the exit code. */
export interface CliContext {
  io: Io;
  client(): SobotBulkClient;
  json(): boolean;
  /**
   * `data` from the API: with --json as JSON, else as the line(s) `human` makes of it, given the data with
   * every control character escaped (see control-chars.ts).
   */
  print<T>(data: T, human: (shown: T) => string): void;
  exitWith(code: number): void;
}

const ENV_HELP = `
Environment:
  SOBOT_BULK_API    the API, when --api is not given (default ${DEFAULT_API})
  SOBOT_BULK_TOKEN  the bearer token, when --token is not given
  API_KEYS          the producer's keys: the first one is used when neither of the above is set`;

/** The bearer token: --token, SOBOT_BULK_TOKEN (both via commander), else the first of API_KEYS. */
function tokenFrom(opts: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const token =
    opts.token ||
    env.API_KEYS?.split(',')
      .map((k) => k.trim())
      .find(Boolean);
  if (!token) throw new UsageError('no API token: pass --token, or set SOBOT_BULK_TOKEN (or API_KEYS)');
  return token;
}

function apiFrom(opts: GlobalOptions): string {
  try {
    const url = new URL(opts.api);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`--api must be an http(s) URL, got "${opts.api}"`);
  }
  return opts.api;
}

const field = (v: unknown, key: string): unknown =>
  typeof v === 'object' && v !== null ? Reflect.get(v, key) : undefined;

/**
 * Row errors in an API error's details: an upload's summary (`{rejected, errors:[{row, field, message}]}`)
 * or a message batch's list (`[{index, field, message}]`).
 */
function detailRows(details: unknown): { errors: RowError[]; count: number } | undefined {
  const list = field(details, 'errors') ?? details;
  const located = (e: unknown) => typeof field(e, 'row') === 'number' || typeof field(e, 'index') === 'number';
  if (!Array.isArray(list) || list.length === 0 || !list.every(located)) return undefined;
  const errors: RowError[] = list.map((e: unknown) => ({
    // A message batch's errors are 0-based indexes; shown 1-based like rows.
    row: Number(field(e, 'row') ?? Number(field(e, 'index') ?? -1) + 1),
    field: String(field(e, 'field') ?? ''),
    message: String(field(e, 'message') ?? ''),
  }));
  const rejected = field(details, 'rejected');
  return { errors, count: typeof rejected === 'number' ? rejected : errors.length };
}

/** An error as the user sees it; never includes the token (the SDK does not put it in errors). */
function describe(err: unknown, json: boolean): string {
  if (json) {
    const body =
      err instanceof SobotBulkApiError
        ? {
            status: err.status,
            code: err.code,
            message: err.message,
            ...(err.details === undefined ? {} : { details: err.details }),
          }
        : err instanceof SobotBulkError
          ? { code: err.code, message: err.message }
          : {
              code: err instanceof UsageError ? 'USAGE' : 'ERROR',
              message: err instanceof Error ? err.message : String(err),
            };
    return safeJson({ error: body });
  }
  if (err instanceof UsageError) return `sobot: ${err.message} (see sobot --help)`;
  if (err instanceof SobotBulkApiError) {
    const rows = detailRows(escapeControlDeep(err.details));
    return [
      `sobot: ${escapeControl(err.message)} (${err.status} ${escapeControl(err.code)})`,
      ...(rows ? [rowErrors(rows.errors, rows.count)] : []),
      ...(err.code === 'DUPLICATE_UPLOAD' ? ['sobot: run it again with --force to send it anyway'] : []),
    ].join('\n');
  }
  // The SDK's own messages may quote what the server answered.
  if (err instanceof SobotBulkError) return `sobot: ${escapeControl(err.message)}`;
  return `sobot: unexpected error: ${escapeControl(err instanceof Error ? err.message : String(err))}`;
}

/** Runs the CLI on `argv` (as in process.argv) and resolves with the exit code (see exit-codes.ts). */
export async function runCli(argv: string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.OK;
  const program = new Command('sobot')
    .description(
      'Bulk WhatsApp image messages through the Sobot API: upload recipient lists, follow campaigns, download reports.',
    )
    .addOption(new Option('--api <url>', 'producer API base URL').env('SOBOT_BULK_API').default(DEFAULT_API))
    .addOption(new Option('--token <token>', 'bearer token (one of the producer API_KEYS)').env('SOBOT_BULK_TOKEN'))
    .option('--json', 'machine-readable JSON output')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  const globals = () => program.opts<GlobalOptions>();
  const ctx: CliContext = {
    io,
    client: () => new SobotBulkClient({ baseUrl: apiFrom(globals()), token: tokenFrom(globals(), io.env) }),
    json: () => globals().json === true,
    print: (data, human) => {
      const text = ctx.json() ? safeJson(data, 2) : human(escapeControlDeep(data));
      io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    exitWith: (c) => {
      code = c;
    },
  };
  registerCommands(program, ctx);
  registerEventCommands(program, ctx);
  registerEventDeliveryCommands(program, ctx);
  for (const cmd of [program, ...program.commands])
    cmd.addHelpText('after', `${EXIT_CODES_HELP}\n${cmd === program ? ENV_HELP : ''}`);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    // commander has already printed its own usage errors.
    if (!(err instanceof CommanderError)) io.stderr.write(`${describe(err, ctx.json())}\n`);
    return exitCodeFor(err);
  }
  return code;
}
