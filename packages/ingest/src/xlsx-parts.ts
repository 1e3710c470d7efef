import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';
import { IngestError, unparseable, workbookTooLarge } from './errors';
import { MAX_XML_RUN_BYTES, MAX_ZIP_ENTRIES, type WorkbookLimits } from './limits';

const MIB = 2 ** 20;
const mib = (bytes: number) => `${Math.round((bytes / MIB) * 10) / 10} MiB`;

/** What an XML part hands on: tags by their local name (`x:row` is `row`), attributes as given, text. */
export interface XmlHandlers {
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

/**
 * The parts of a workbook spooled to a file, read through the zip's central directory (so the order of parts in the
 * file does not matter and nothing waits in memory or on disk). Each part read is inflated as a stream and counted:
 * past `expandedBytes` over all parts (or `sharedStringsBytes` for the shared strings) the read stops with
 * WORKBOOK_TOO_LARGE, whatever sizes the zip declares; a part longer than it declares is a broken zip.
 */
export class WorkbookParts {
  private expanded = 0;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    private readonly limits: WorkbookLimits,
  ) {}

  static async open(path: string, limits: WorkbookLimits): Promise<WorkbookParts> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, z) =>
        err ? reject(broken(err)) : resolve(z),
      ),
    );
    try {
      const entries = await listParts(zip);
      return new WorkbookParts(zip, entries, limits);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Streams the part through `handlers`; `afterChunk` runs (and is awaited) after each inflated chunk. */
  async read(
    name: string,
    handlers: XmlHandlers,
    options: { maxBytes?: number; what?: string; afterChunk?: () => Promise<void> | void } = {},
  ): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    const partMax = options.maxBytes ?? Infinity;
    const what = options.what ?? name;
    const tooLarge = (declared: boolean) =>
      partMax < this.limits.expandedBytes - this.expanded
        ? workbookTooLarge(
            `the workbook's ${what} ${declared ? 'declares' : 'expands to'} more than ${mib(partMax)} ` +
              '(MAX_XLSX_SHARED_STRINGS): save the list as CSV UTF-8, or split it',
          )
        : workbookTooLarge(
            `the workbook expands to more than ${mib(this.limits.expandedBytes)} (MAX_XLSX_EXPANDED_BYTES): ` +
              'save the list as CSV UTF-8, or split it',
          );
    if (entry.uncompressedSize > Math.min(partMax, this.limits.expandedBytes - this.expanded)) throw tooLarge(true);
    const stream = await new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry, (err, s) => (err ? reject(broken(err)) : resolve(s))),
    );
    const parser = xmlParser(handlers);
    const decoder = new StringDecoder('utf8');
    let partBytes = 0;
    let sinceTag = 0;
    // What the caller's afterChunk throws (the table's refusals, the sink's failures) passes on as it is.
    let passOn: unknown;
    const after = async () => {
      try {
        await options.afterChunk?.();
      } catch (err) {
        passOn = err;
        throw err;
      }
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        partBytes += chunk.length;
        this.expanded += chunk.length;
        if (partBytes > partMax || this.expanded > this.limits.expandedBytes) throw tooLarge(false);
        // saxes keeps a text node or a tag whole until its end: one too long is refused before it is held.
        const first = chunk.indexOf(0x3c);
        if (first < 0) sinceTag += chunk.length;
        else {
          if (sinceTag + first > MAX_XML_RUN_BYTES) throw runTooLong(what);
          sinceTag = chunk.length - chunk.lastIndexOf(0x3c) - 1;
        }
        if (sinceTag > MAX_XML_RUN_BYTES) throw runTooLong(what);
        parser.write(decoder.write(chunk));
        await after();
      }
      parser.write(decoder.end());
      parser.close();
      await after();
    } catch (err) {
      if (err === passOn || err instanceof IngestError) throw err;
      throw broken(err);
    } finally {
      stream.destroy();
    }
  }

  close(): void {
    this.zip.close();
  }
}

/** The central directory's entries, by name (directories left out). */
function listParts(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, yauzl.Entry>();
    let count = 0;
    zip.on('entry', (entry: yauzl.Entry) => {
      if (++count > MAX_ZIP_ENTRIES) {
        reject(workbookTooLarge(`the workbook has more than ${MAX_ZIP_ENTRIES} parts: save the list as CSV UTF-8`));
        return;
      }
      if (!entry.fileName.endsWith('/')) entries.set(entry.fileName.replace(/^\//, ''), entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (err: Error) => reject(broken(err)));
    zip.readEntry();
  });
}

function xmlParser(handlers: XmlHandlers): SaxesParser {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const local = (name: string) => {
    const colon = name.indexOf(':');
    return colon < 0 ? name : name.slice(colon + 1);
  };
  if (handlers.open) {
    const open = handlers.open;
    parser.on('opentag', (tag) => open(local(tag.name), tag.attributes as Record<string, string>));
  }
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (tag) => close(local(tag.name)));
  }
  if (handlers.text) {
    const text = handlers.text;
    parser.on('text', text);
    parser.on('cdata', text);
  }
  return parser;
}

const SAVE_AS = 'save it again from Excel, or as CSV UTF-8';

function broken(err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return unparseable(`not a readable .xlsx workbook (${reason.slice(0, 200)}): ${SAVE_AS}`);
}

function runTooLong(what: string): Error {
  return workbookTooLarge(
    `the workbook's ${what} holds a cell or tag over ${mib(MAX_XML_RUN_BYTES)}: a recipient list has short cells`,
  );
}
