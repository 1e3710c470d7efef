#!/usr/bin/env node
'use strict';
// The `sobot` bin: the built CLI (`pnpm build`, dist/main.js) when there is one; in a workspace that was
// never built, the TypeScript source through tsx.
const { existsSync } = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'dist', 'main.js');

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
  process.stderr.write('sobot: no build and no tsx; run `pnpm install && pnpm build` at the repository root\n');
  process.exit(1);
}

if (existsSync(built)) {
  require(built);
} else {
  require(resolveTsx());
  require(path.join(__dirname, '..', 'src', 'main.ts'));
}
