import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';

export type UploadFormat = 'csv' | 'json' | 'ndjson';

export const UPLOAD_CONTENT_TYPES: Record<UploadFormat, string> = {
  csv: 'text/csv',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
};

/** Sent when the format is neither given nor told by the file name: the API then detects it. */
const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

const EXTENSIONS: Record<string, UploadFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

export function formatFromPath(path: string): UploadFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

export function uploadContentType(format: UploadFormat | 'auto' | undefined): string {
  return format === undefined || format === 'auto' ? UNKNOWN_CONTENT_TYPE : UPLOAD_CONTENT_TYPES[format];
}

async function* asBytes(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/** A request body that streams `source` (fetch needs `duplex: 'half'` with it); nothing is read ahead. */
export function streamBody(source: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  return Readable.toWeb(Readable.from(asBytes(source)));
}

/**
 * A file as a streamed request body, with its size. Checked before the request so a missing file is a
 * local error (ENOENT), not a failed upload.
 */
export async function fileBody(path: string): Promise<{ body: ReadableStream<Uint8Array>; size: number }> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  return { body: Readable.toWeb(createReadStream(path)), size: info.size };
}
