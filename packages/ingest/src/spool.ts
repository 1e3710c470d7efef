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
  private iterator: AsyncIterator<unknown> | undefined;
  private ended = false;

  private constructor(private readonly dir: string) {}

  static async create(): Promise<Spool> {
    const spool = new Spool(await mkdtemp(join(tmpdir(), 'sobot-ingest-')));
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

  /**
   * `input`'s chunks, each written to the file before it is handed on. A reader that stops early does not stop the
   * input: `finish` copies what it left.
   */
  tee(input: RecipientInput): AsyncIterable<Buffer> {
    this.iterator = input[Symbol.asyncIterator]();
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
    if (!this.iterator || this.ended) return { done: true, value: undefined };
    const next = await this.iterator.next();
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
    if (this.iterator && !this.ended) await this.iterator.return?.().catch(() => undefined);
    this.ended = true;
    await this.file?.close().catch(() => undefined);
    this.file = undefined;
    await rm(this.dir, { recursive: true, force: true });
  }
}
