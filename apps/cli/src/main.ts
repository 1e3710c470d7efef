// The `sobot` CLI: `pnpm cli -- <command>` or the `sobot` bin. Exit codes: see exit-codes.ts.
import { runCli } from './program';

// `pnpm cli -- upload …` hands the `--` on to us: drop it so that it does not end option parsing.
const argv = process.argv[2] === '--' ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv;

// A reader that went away (`sobot list | head`) ends the output: no stack trace, the exit code stands.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit();
});

void runCli(argv).then((code) => {
  process.exitCode = code;
});
