/**
 * Line numbers of byte offsets in a stream that is fed chunk by chunk and asked about in increasing offsets:
 * chunks are dropped once scanned past, so memory stays one or two chunks.
 */
export class LineCounter {
  private readonly chunks: Buffer[] = [];
  /** Stream offset of chunks[0][0]. */
  private base = 0;
  /** Offset up to which newlines are counted, and the line number there. */
  private pos = 0;
  private line = 1;

  /** `newline`: `\n`, or `\r` for a file with old Mac line ends. */
  constructor(private readonly newline: number = 0x0a) {}

  feed(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** The 1-based line of the byte at `offset` (offsets never go back). */
  lineAt(offset: number): number {
    while (this.pos < offset && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const end = Math.min(offset - this.base, chunk.length);
      for (let i = chunk.indexOf(this.newline, this.pos - this.base); i >= 0 && i < end;) {
        this.line++;
        i = chunk.indexOf(this.newline, i + 1);
      }
      this.pos = this.base + end;
      if (end === chunk.length) {
        this.chunks.shift();
        this.base += chunk.length;
      }
    }
    return this.line;
  }
}
