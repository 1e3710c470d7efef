import { defineConfig } from 'tsup';

/**
 * The published SDK: CommonJS (dist/index.js) and ESM (dist/index.mjs), each with its declarations
 * (dist/index.d.ts, dist/index.d.mts). It has no dependencies: Node's own modules and the global fetch.
 */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['cjs', 'esm'],
  platform: 'node',
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
