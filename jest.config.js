// One jest run over every workspace package; TypeScript goes through swc (no build step).
//
// Two kinds of test file (README, "Tests"):
// - `*.e2e.test.ts` start something: a Redis (startTestRedis), an app process, a browser, a child process. Run by
//   `pnpm test` only. Each jest worker shares one redis-server (global setup) among the files it runs; every file
//   still has a key prefix of its own. `startTestRedis({ own: true })` gives a file a server of its own.
// - every other `*.test.ts` is a unit file: no process, no Redis server (in-process HTTP on loopback is fine).
//   `pnpm test:unit` (SOBOT_TEST_UNIT=1) runs only those, and devkit refuses to start a Redis or an app there.
const { availableParallelism } = require('node:os');
const { existsSync, readdirSync } = require('node:fs');

const unit = process.env.SOBOT_TEST_UNIT === '1';

/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // p-retry and is-network-error ship ESM only: let swc turn them into CommonJS for jest.
  transformIgnorePatterns: [
    '/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(p-retry|is-network-error|content-disposition|cookie)/)',
  ],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(unit ? ['\\.e2e\\.test\\.ts$'] : [])],
};
module.exports = {
  testTimeout: 60000,
  // Two workers on two cores (half the cores on a bigger machine): the e2e files spend much of their time waiting
  // on the processes they start. JEST_MAX_WORKERS overrides.
  maxWorkers: Number(process.env.JEST_MAX_WORKERS) || Math.max(2, Math.floor(availableParallelism() / 2)),
  globalSetup: '<rootDir>/packages/devkit/jest/global-setup.js',
  globalTeardown: '<rootDir>/packages/devkit/jest/global-teardown.js',
  projects: ['apps', 'packages']
    .flatMap((g) => readdirSync(g).map((d) => `${g}/${d}`))
    .filter((dir) => existsSync(`${dir}/package.json`) && dir !== 'packages/tsconfig')
    .map((dir) => ({ ...base, displayName: dir, rootDir: `<rootDir>/${dir}` })),
};
