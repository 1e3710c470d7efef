import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every temporary directory an upload makes is named so, under the system's temp directory (or the one given). */
export const UPLOAD_TEMP_PREFIX = 'sobot-upload-';

/** Runs `work` with a fresh temporary directory, removed when it ends, however it ends. */
export async function withUploadTempDir<T>(work: (dir: string) => Promise<T>, parent = tmpdir()): Promise<T> {
  const dir = await mkdtemp(join(parent, UPLOAD_TEMP_PREFIX));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes upload temp directories last changed before `before` (default: this process's start): what a producer
 * killed mid-upload left. Those of a producer still running beside this one are newer and kept.
 * Returns how many it removed.
 */
export async function sweepUploadTempDirs(
  parent = tmpdir(),
  before = Date.now() - process.uptime() * 1000,
): Promise<number> {
  let removed = 0;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(UPLOAD_TEMP_PREFIX)) continue;
    const path = join(parent, name);
    const info = await stat(path).catch(() => undefined);
    if (!info || info.mtimeMs >= before) continue;
    await rm(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
