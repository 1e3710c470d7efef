import { Readable } from 'node:stream';
import type { SobotImageMessage } from '@sobot/schema';
import { IngestError, ingestRecipients, type IngestOptions, type IngestSummary } from '../src';

export const DEFAULTS = { image_url: 'https://cdn.example.com/promo.jpg', caption: 'Default caption' };

export interface Collected {
  summary: IngestSummary;
  messages: SobotImageMessage[];
  rows: number[];
}

/** Runs a file through ingest with an array as the sink. */
export async function collect(
  input: string | Buffer | AsyncIterable<Buffer | string>,
  options: Partial<Omit<IngestOptions, 'sink'>> = {},
): Promise<Collected> {
  const messages: SobotImageMessage[] = [];
  const rows: number[] = [];
  const source = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([Buffer.from(input)]) : input;
  const summary = await ingestRecipients(source, {
    format: 'auto',
    defaults: DEFAULTS,
    inferCountry: {
      restart: () => {
        messages.length = 0;
        rows.length = 0;
      },
    },
    ...options,
    sink: (message, row) => {
      messages.push(message);
      rows.push(row);
    },
  });
  expect(summary.total).toBe(summary.accepted + summary.rejected + summary.duplicates);
  expect(summary.accepted).toBe(messages.length);
  return { summary, messages, rows };
}

/** The input cut into pieces of `size` bytes: boundaries fall inside quotes, multi-byte characters and JSON tokens. */
export async function* pieces(text: string, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** The IngestError a promise rejects with (fails the test when it resolves or fails otherwise). */
export async function failure(promise: Promise<unknown>): Promise<IngestError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof IngestError) return err;
    throw err;
  }
  throw new Error('expected the ingest to fail');
}
