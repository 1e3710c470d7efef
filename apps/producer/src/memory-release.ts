import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * SPEC §22: after a burst of uploads the producer's RSS returns within 20% of its idle level. Strings and buffers an
 * upload held (an .xlsx's shared-string table may be hundreds of MiB) are garbage once it ends, but V8 runs no major
 * collection while the process is idle, so they stay resident until the next allocation-driven one. When the last
 * upload ends and RSS is well above its idle level, one full collection is asked for after a short quiet period
 * (cancelled if another upload starts). A full collection of a producer's heap takes tens of milliseconds; the
 * producer sends nothing itself, so no send waits for it.
 */
export class MemoryRelease {
  /** RSS when the producer was built: the level a collection is measured against. */
  private readonly idleRss = process.memoryUsage.rss();
  private timer: NodeJS.Timeout | undefined;
  private readonly gc = exposeGc();

  constructor(
    private readonly quietMs = 1_000,
    /** RSS over idle × this is worth a collection. */
    private readonly over = 1.2,
  ) {}

  /** An upload starts: a pending collection waits for the next quiet period. */
  busy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** No upload is being read: collect after the quiet period if RSS is well above its idle level. */
  idle(): void {
    this.busy();
    if (!this.gc) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (process.memoryUsage.rss() > this.idleRss * this.over) this.gc!();
    }, this.quietMs);
    this.timer.unref();
  }
}

/** `gc()` of this isolate (V8's --expose-gc, set at run time), or undefined where the runtime refuses it. */
function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
