import { CommanderError } from 'commander';
import { SobotBulkApiError, SobotBulkConnectionError } from '@sobot/client';

/**
 * Exit codes of the `sobot` CLI (also printed at the end of `--help`):
 *   0  success; with --watch: the campaign completed with no failures
 *   1  unexpected error (a 5xx from the API included)
 *   2  usage error: unknown command or option, missing argument, no token, unreadable file
 *   3  the API said the input is invalid (a 4xx other than 401 and 404: bad file, bad option, wrong state)
 *   4  unauthorized (401): wrong or missing token
 *   5  not found (404): no such campaign or message
 *   6  --watch: the campaign finished with failures, or was cancelled
 *   7  cannot reach the API
 * 130  interrupted (Ctrl+C) while watching; the campaign itself goes on
 */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  INVALID: 3,
  UNAUTHORIZED: 4,
  NOT_FOUND: 5,
  INCOMPLETE: 6,
  UNREACHABLE: 7,
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (with --watch: the campaign completed with no failures)
  1  unexpected error
  2  usage error
  3  the API said the input is invalid (4xx other than 401/404)
  4  unauthorized (401)
  5  not found (404)
  6  --watch: the campaign finished with failures or was cancelled
  7  cannot reach the API
130  interrupted while watching (the campaign goes on)`;

/** A mistake in how the CLI was called, found before asking the API. */
export class UsageError extends Error {}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof SobotBulkConnectionError) return EXIT.UNREACHABLE;
  if (err instanceof SobotBulkApiError) {
    if (err.status === 401) return EXIT.UNAUTHORIZED;
    if (err.status === 404) return EXIT.NOT_FOUND;
    if (err.status >= 400 && err.status < 500) return EXIT.INVALID;
  }
  return EXIT.ERROR;
}
