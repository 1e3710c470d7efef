import type { Command } from 'commander';
import type { SobotBulkClient } from '@sobot/client';
import type { CliContext } from '../program';

const CONTROL_ACTIONS = [
  ['pause', 'pause sending (in-flight messages finish)', (c: SobotBulkClient, id: string) => c.pause(id)],
  ['resume', 'resume a paused campaign (also lifts a system pause)', (c: SobotBulkClient, id: string) => c.resume(id)],
  ['cancel', 'cancel: pending recipients are never sent', (c: SobotBulkClient, id: string) => c.cancel(id)],
] as const;

/** `sobot pause|resume|cancel <id>`. */
export function registerControl(program: Command, ctx: CliContext): void {
  for (const [action, description, call] of CONTROL_ACTIONS) {
    program
      .command(`${action} <id>`)
      .description(description)
      .action(async (id: string) => {
        const view = await call(ctx.client(), id);
        ctx.print(view, (v) => `${v.id} ${v.status}`);
      });
  }
}
