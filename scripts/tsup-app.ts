import { cp, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Options } from 'tsup';

const ROOT = resolve(__dirname, '..');

/** Files an app reads at run time relative to `__dirname`, copied next to its bundle. */
export const RUNTIME_FILES = {
  /** packages/store/src/scripts.ts reads `${__dirname}/lua/<name>.lua`. */
  lua: { from: ['packages/store/src/lua'], to: 'lua' },
  /** apps/producer/src/ui/plugin.ts reads `${__dirname}/{index.html,app.js,events.js,app.css}`. */
  ui: {
    from: [
      'apps/producer/src/ui/index.html',
      'apps/producer/src/ui/app.js',
      'apps/producer/src/ui/events.js',
      'apps/producer/src/ui/app.css',
    ],
    to: '',
  },
} as const;

/**
 * The production build of an app (`pnpm build`): `src/main.ts` bundled into one CommonJS file,
 * `dist/main.js`, run with `node`. Our workspace packages (@sobot/*) are TypeScript sources, so they are
 * compiled into the bundle; every npm package stays an external `require` resolved from node_modules at
 * run time (several read their own files at run time: Bull Board's UI, swagger-ui's assets). Whatever a
 * bundled package reads relative to `__dirname` is copied beside the bundle, where `__dirname` now points.
 */
export function appConfig(opts: { copy?: Array<keyof typeof RUNTIME_FILES> } = {}): Options {
  return {
    entry: { main: 'src/main.ts' },
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    outDir: 'dist',
    clean: true,
    sourcemap: true,
    skipNodeModulesBundle: true,
    noExternal: [/^@sobot\//],
    // The bundle's own metafile lists what stays external: checked by apps/producer/test/build.e2e.test.ts.
    metafile: true,
    async onSuccess() {
      for (const name of opts.copy ?? []) {
        const { from, to } = RUNTIME_FILES[name];
        const dest = join('dist', to);
        await mkdir(dest, { recursive: true });
        for (const src of from) await cp(join(ROOT, src), join(dest, to ? '' : basename(src)), { recursive: true });
      }
    },
  };
}
