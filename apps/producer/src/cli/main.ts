// The `sobot` CLI: `pnpm cli -- <command>` or the `sobot` bin. Exit codes: see exit-codes.ts.
import { runCli } from './program';

void runCli(process.argv).then((code) => {
  process.exitCode = code;
});
