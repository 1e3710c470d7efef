// One jest run over every workspace package; TypeScript goes through swc (no build step).
/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // p-retry and is-network-error ship ESM only: let swc turn them into CommonJS for jest.
  transformIgnorePatterns: [
    '/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(p-retry|is-network-error|content-disposition|cookie)/)',
  ],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
};
module.exports = {
  testTimeout: 60000,
  // A test that fails half-way may leave a handle open; CI must end anyway (servers the tests started
  // are killed on exit by devkit).
  forceExit: true,
  projects: ['apps/*', 'packages/*']
    .flatMap((g) =>
      require('node:fs')
        .readdirSync(g.slice(0, -2))
        .map((d) => `${g.slice(0, -2)}/${d}`),
    )
    .filter((dir) => require('node:fs').existsSync(`${dir}/package.json`) && dir !== 'packages/tsconfig')
    .map((dir) => ({ ...base, displayName: dir, rootDir: `<rootDir>/${dir}` })),
};
