import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { clip, MIME_TYPES } from '@sobot/schema';
import { InputError } from './errors';
import { AddressRefusedError, guardedLookup, isPublicAddress, systemResolve, type Resolve } from './public-address';

/** The upstream's limit for images. */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
/** One deadline for the whole check, redirects included. */
const TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Why a pre-flight failed, for the server's own logs and tests. Callers see one neutral message for every reason
 * up to `status`, so the check cannot be used to learn what listens where.
 */
export type PreflightFailure = 'url' | 'address' | 'unreachable' | 'status' | 'redirects' | 'type' | 'size';

export const PREFLIGHT_NEUTRAL_MESSAGE =
  'image_url could not be checked: it must be a public http(s) URL that answers with a JPEG or PNG ≤ 5 MB';

/** The campaign's image failed its pre-flight check. */
export class ImagePreflightError extends InputError {
  constructor(
    readonly reason: PreflightFailure,
    message = PREFLIGHT_NEUTRAL_MESSAGE,
  ) {
    super('IMAGE_PREFLIGHT_FAILED', message);
  }
}

export interface PreflightOptions {
  /** ALLOW_PRIVATE_URLS: any address may be fetched (the sandbox and the demo serve images on loopback). */
  allowPrivateUrls?: boolean;
  /** Which resolved addresses may be connected to; the default accepts public ones only. */
  isAllowedAddress?: (address: string) => boolean;
  /** Name resolution; the system resolver by default. */
  resolve?: Resolve;
}

/** `[::1]` → `::1`: a URL's hostname as an address, when it is one. */
const literalAddress = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ImagePreflightError('url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ImagePreflightError('url');
  return url;
}

/**
 * Checks a campaign's image once before anything is stored: it answers 2xx, says it is a JPEG or PNG, and is at
 * most 5 MB. Every hop (at most 5 redirects, followed here) must be a public address unless `allowPrivateUrls`.
 * Throws an ImagePreflightError.
 */
export async function preflightImage(
  imageUrl: string,
  opts: PreflightOptions = {},
): Promise<{ mimeType: string; bytes: number | undefined }> {
  const allowed = opts.allowPrivateUrls ? () => true : (opts.isAllowedAddress ?? isPublicAddress);
  let refused = false;
  const checkAddress = (address: string) => {
    if (allowed(address)) return true;
    refused = true;
    return false;
  };
  const agent = new Agent({ connect: { lookup: guardedLookup(checkAddress, opts.resolve ?? systemResolve) } });
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  try {
    let url = parseHttpUrl(imageUrl);
    let method: 'HEAD' | 'GET' = 'HEAD';
    for (let redirects = 0; ;) {
      const host = literalAddress(url.hostname);
      // An address in the URL itself is connected to without a lookup: it is checked here instead.
      if (isIP(host) !== 0 && !checkAddress(host)) throw new ImagePreflightError('address');
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, {
          method,
          headers: method === 'GET' ? { range: 'bytes=0-0' } : {},
          dispatcher: agent,
          signal,
        });
      } catch {
        throw new ImagePreflightError(refused ? 'address' : 'unreachable');
      }
      // Only the status and headers matter; undici reports a dropped body as an error, which is expected here.
      res.body.on('error', () => undefined).destroy();
      if (REDIRECTS.has(res.statusCode)) {
        const location = header(res.headers, 'location');
        if (!location || ++redirects > MAX_REDIRECTS) throw new ImagePreflightError('redirects');
        url = parseHttpUrl(new URL(location, url).href);
        continue;
      }
      // Some servers refuse HEAD: ask for the first byte instead.
      if (method === 'HEAD' && (res.statusCode === 405 || res.statusCode === 501)) {
        method = 'GET';
        continue;
      }
      if (res.statusCode < 200 || res.statusCode > 299) throw new ImagePreflightError('status');
      return describeImage(res.headers);
    }
  } finally {
    await agent.destroy();
  }
}

type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** What a reachable, allowed image says of itself; here a precise message is safe to give. */
function describeImage(headers: Headers): { mimeType: string; bytes: number | undefined } {
  const type = (header(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(MIME_TYPES as readonly string[]).includes(type)) {
    throw new ImagePreflightError(
      'type',
      `image_url is not a JPEG or PNG (content-type "${clip(type, 60) || 'none'}")`,
    );
  }
  const range = header(headers, 'content-range');
  const length = Number(range ? range.split('/')[1] : header(headers, 'content-length'));
  const bytes = Number.isFinite(length) && length > 0 ? length : undefined;
  if (bytes !== undefined && bytes > IMAGE_MAX_BYTES) {
    throw new ImagePreflightError('size', `image_url is ${(bytes / 2 ** 20).toFixed(1)} MB, over the 5 MB limit`);
  }
  return { mimeType: type, bytes };
}
