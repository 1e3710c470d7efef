import { MIME_TYPES } from '@sobot/schema';
import { InputError } from './errors';

/** The upstream's limit for images. */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 5_000;

/**
 * Checks a campaign's image once before anything is stored: it answers 2xx, says it is a JPEG or PNG,
 * and is at most 5 MB. Throws an InputError saying which check failed.
 */
export async function preflightImage(url: string): Promise<{ mimeType: string; bytes: number | undefined }> {
  const fail = (why: string) => new InputError('IMAGE_PREFLIGHT_FAILED', `image_url ${why}: ${url}`);
  let res: Response;
  try {
    res = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS) });
    // Some servers refuse HEAD: ask for the first byte instead.
    if (res.status === 405 || res.status === 501) {
      res = await fetch(url, {
        headers: { range: 'bytes=0-0' },
        redirect: 'follow',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel();
    }
  } catch (err) {
    throw fail(`could not be fetched (${(err as Error).message})`);
  }
  if (!res.ok) throw fail(`answered HTTP ${res.status}`);
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(MIME_TYPES as readonly string[]).includes(type))
    throw fail(`is not a JPEG or PNG (content-type "${type || 'none'}")`);
  const range = res.headers.get('content-range');
  const length = Number(range ? range.split('/')[1] : res.headers.get('content-length'));
  const bytes = Number.isFinite(length) && length > 0 ? length : undefined;
  if (bytes !== undefined && bytes > IMAGE_MAX_BYTES)
    throw fail(`is ${(bytes / 2 ** 20).toFixed(1)} MB, over the 5 MB limit`);
  return { mimeType: type, bytes };
}
