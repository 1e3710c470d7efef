import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/processes';

/**
 * Prettier wraps code at 120 columns but leaves long strings, comments and test names alone; this keeps every
 * tracked source line within 120 characters so the code reads without horizontal scrolling.
 */
const MAX = 120;
const GLOBS = ['apps/**', 'packages/**', 'bench/**', 'scripts/**'];
const SOURCE = /\.(ts|js|lua)$/;

const listed = spawnSync('git', ['ls-files', '-z', '--', ...GLOBS], { cwd: REPO_ROOT, encoding: 'utf8' });
// Without git (or outside a checkout, e.g. an unpacked tarball) there is no list of tracked files to check.
const hasGit = !listed.error && listed.status === 0;
const gitTest = hasGit ? test : test.skip;

gitTest(`tracked source lines are at most ${MAX} characters`, () => {
  const files = listed.stdout.split('\0').filter((f) => SOURCE.test(f));
  expect(files.length).toBeGreaterThan(0);
  const long: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(REPO_ROOT, file), 'utf8');
    } catch {
      continue; // tracked but deleted in the work tree
    }
    // Characters, not UTF-16 units or bytes: `×` and `→` count as one, as they do on screen.
    text.split(/\r?\n/).forEach((line, i) => {
      const length = [...line].length;
      if (length > MAX) long.push(`${file}:${i + 1} (${length})`);
    });
  }
  expect(long).toEqual([]);
});
