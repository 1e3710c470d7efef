import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { toBuffer, type RecipientInput } from './source';

/**
 * A copy of an upload on disk, made while it is first read, so that it can be read a second time (inferring the
 * list's country needs the whole file before any number is read). Memory holds one chunk; the file is removed by
 * `remove`, which the owner calls on every path.
 */
export class Spool {
  private file: FileHandle | undefined;
  private ended = false;

  private constructor(
    private readonly dir: string,
    private readonly iterator: AsyncIterator<unknown>,
    private pending: Promise<IteratorResult<unknown>> | undefined,
  ) {}

  /** Starts copying `input`: its chunks come through `chunks`, each written to the file first. */
  static async open(input: RecipientInput): Promise<Spool> {
    // Read at once: a Readable's iterator listens for its errors from its first `next`, and a stream failing while
    // the file is being made (the byte limit) must not fail unheard.
    const iterator: AsyncIterator<unknown> = input[Symbol.asyncIterator]();
    const first = iterator.next();
    first.catch(() => undefined);
    let dir: string;
    try {
      dir = await mkdtemp(join(tmpdir(), 'sobot-ingest-'));
    } catch (err) {
      await iterator.return?.().catch(() => undefined);
      throw err;
    }
    const spool = new Spool(dir, iterator, first);
    try {
      spool.file = await open(spool.path, 'w');
    } catch (err) {
      await spool.remove();
      throw err;
    }
    return spool;
  }

  private get path(): string {
    return join(this.dir, 'upload');
  }

  /** The input's chunks as they are copied. A reader that stops early leaves the input open for `finish`. */
  chunks(): AsyncIterable<Buffer> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => this.step(),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
  }

  /** Copies the rest of the input and closes the file: after this, `read` gives all of it. */
  async finish(): Promise<void> {
    while (!(await this.step()).done) {
      // each step writes its chunk
    }
    await this.file?.close();
    this.file = undefined;
  }

  private async step(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.ended) return { done: true, value: undefined };
    const next = await (this.pending ?? this.iterator.next());
    this.pending = undefined;
    if (next.done) {
      this.ended = true;
      return { done: true, value: undefined };
    }
    const chunk = toBuffer(next.value);
    await this.file!.write(chunk);
    return { done: false, value: chunk };
  }

  read(): Readable {
    return createReadStream(this.path, { highWaterMark: 64 * 1024 });
  }

  /** Stops the input (destroying a Readable), closes and deletes the file. Never throws. */
  async remove(): Promise<void> {
    if (!this.ended) await this.iterator.return?.().catch(() => undefined);
    this.ended = true;
    await this.file?.close().catch(() => undefined);
    this.file = undefined;
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
