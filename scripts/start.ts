// `pnpm start`: the whole product in one supervised process tree (see packages/devkit/src/stack.ts).
import { startStack } from '@sobot/devkit';

async function main(): Promise<void> {
  // The built apps (dist/main.js, run with node): the root script builds them first (pnpm build, cached).
  const stack = await startStack({ built: true });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping: worker first (in-flight sends are recorded), then producer, sandbox, redis\n');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
