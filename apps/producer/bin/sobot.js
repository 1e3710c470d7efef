#!/usr/bin/env node
'use strict';
// The `sobot` CLI without a build step: register tsx (TypeScript through esbuild), then load the source.
const path = require('node:path');

function resolveTsx() {
  // This package first, then the workspace root (tsx is a root devDependency), then where it is run.
  const from = [__dirname, path.resolve(__dirname, '..', '..', '..'), process.cwd()];
  for (const dir of from) {
    try {
      return require.resolve('tsx/cjs', { paths: [dir] });
    } catch {
      // next place
    }
  }
  process.stderr.write('sobot: cannot find tsx; run `pnpm install` at the repository root\n');
  process.exit(1);
}

require(resolveTsx());
require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
