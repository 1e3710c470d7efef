import type { Command } from 'commander';
import type { CliContext } from '../program';
import { registerControl } from './control';
import { registerEventEndpoints } from './events';
import { registerList } from './list';
import { registerMessage } from './message';
import { registerRejected } from './rejected';
import { registerReport } from './report';
import { registerRetryFailed } from './retry-failed';
import { registerSend } from './send';
import { registerSenderCommands } from './senders';
import { registerStatus } from './status';
import { registerSuppress } from './suppress';
import { registerUpload } from './upload';
import { registerWatch } from './watch';

/** One command (or one group of subcommands) of `sobot`: a file of its own under commands/. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command, in the order `sobot --help` lists them. A new command is one file and one line here. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerUpload,
  registerWatch,
  registerList,
  registerStatus,
  registerControl,
  registerRetryFailed,
  registerReport,
  registerRejected,
  registerSend,
  registerSuppress,
  registerMessage,
  registerEventEndpoints,
  registerSenderCommands,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of COMMANDS) register(program, ctx);
}

export { retryLines } from './retry-failed';
