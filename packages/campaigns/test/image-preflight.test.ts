import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  ImagePreflightError,
  isPublicAddress,
  PREFLIGHT_NEUTRAL_MESSAGE,
  preflightImage,
  type PreflightFailure,
  type PreflightOptions,
} from '../src';

/** A small image host that records every request it answers. */
interface ImageHost {
  port: number;
  /** `METHOD path` of every request that reached it. */
  hits: string[];
  close(): Promise<void>;
}

async function imageHost(host: string): Promise<ImageHost> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/img.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '1024' });
      return res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(1024));
    }
    if (url.pathname === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
    if (url.pathname === '/redirect') return res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a refused pre-flight says and why it refused. */
async function failure(url: string, opts?: PreflightOptions): Promise<{ reason: PreflightFailure; message: string }> {
  const err: unknown = await preflightImage(url, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ImagePreflightError)) throw new Error(`${url}: expected an ImagePreflightError, got ${err}`);
  expect(err.code).toBe('IMAGE_PREFLIGHT_FAILED');
  return { reason: err.reason, message: err.message };
}

// A private image host on every loopback form (dual-stack), and a stand-in for a public host on 127.0.0.2 that
// the tests declare public by injecting the address policy.
let local: ImageHost;
let pub: ImageHost;
const PUBLIC_STAND_IN = '127.0.0.2';
const publicStandIn: PreflightOptions = { isAllowedAddress: (a) => a === PUBLIC_STAND_IN };

beforeAll(async () => {
  local = await imageHost('::');
  pub = await imageHost(PUBLIC_STAND_IN);
});

afterAll(async () => {
  await local?.close();
  await pub?.close();
});

beforeEach(() => {
  local.hits.length = 0;
  pub.hits.length = 0;
});

describe('preflightImage refuses what is not a public address, with one neutral message', () => {
  it(
    'fetches the loopback image when private URLs are allowed ' + '(so a refusal below is the guard, not the host)',
    async () => {
      await expect(
        preflightImage(`http://127.0.0.1:${local.port}/img.jpg`, { allowPrivateUrls: true }),
      ).resolves.toEqual({ mimeType: 'image/jpeg', bytes: 1024 });
      await expect(
        preflightImage(`http://localhost:${local.port}/img.jpg`, { allowPrivateUrls: true }),
      ).resolves.toMatchObject({ mimeType: 'image/jpeg' });
      expect(local.hits).toEqual(['HEAD /img.jpg', 'HEAD /img.jpg']);
    },
  );

  it.each([
    ['loopback', 'http://127.0.0.1:PORT/img.jpg'],
    ['localhost', 'http://localhost:PORT/img.jpg'],
    ['IPv6 loopback', 'http://[::1]:PORT/img.jpg'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:PORT/img.jpg'],
    ['a decimal IP', 'http://2130706433:PORT/img.jpg'],
    ['a hex IP', 'http://0x7f000001:PORT/img.jpg'],
    ['a short octal IP', 'http://0177.1:PORT/img.jpg'],
    ['the unspecified address', 'http://0.0.0.0:PORT/img.jpg'],
  ])('%s that answers with a good image', async (_label, template) => {
    const url = template.replace('PORT', String(local.port));
    expect(await failure(url)).toEqual({ reason: 'address', message: PREFLIGHT_NEUTRAL_MESSAGE });
    expect(local.hits).toEqual([]);
  });

  it.each([
    'http://10.1.2.3/img.jpg',
    'http://172.16.0.9/img.jpg',
    'http://192.168.1.1/img.jpg',
    'http://100.64.0.1/img.jpg',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/img.jpg',
    'http://[fd00::1]/img.jpg',
    'http://[::ffff:10.0.0.1]/img.jpg',
    'http://[::ffff:169.254.169.254]/img.jpg',
    'http://224.0.0.1/img.jpg',
    'http://255.255.255.255/img.jpg',
    'http://240.0.0.1/img.jpg',
  ])('%s', async (url) => {
    expect(await failure(url)).toEqual({ reason: 'address', message: PREFLIGHT_NEUTRAL_MESSAGE });
  });

  it('a public-looking name that resolves to a loopback or private address', async () => {
    const toLoopback: PreflightOptions = { resolve: async () => [{ address: '127.0.0.1', family: 4 }] };
    expect(await failure(`http://images.example.com:${local.port}/img.jpg`, toLoopback)).toEqual({
      reason: 'address',
      message: PREFLIGHT_NEUTRAL_MESSAGE,
    });
    // One private address among public ones refuses the name: the socket might pick that one.
    const mixed: PreflightOptions = {
      ...publicStandIn,
      resolve: async () => [
        { address: PUBLIC_STAND_IN, family: 4 },
        { address: '::1', family: 6 },
      ],
    };
    expect((await failure(`http://cdn.example.com:${pub.port}/img.jpg`, mixed)).reason).toBe('address');
    expect(local.hits).toEqual([]);
    expect(pub.hits).toEqual([]);
  });

  it('a redirect from an allowed host to a private one, by address or by name', async () => {
    const toLocal = `http://127.0.0.1:${local.port}/img.jpg`;
    const viaAddress = `http://${PUBLIC_STAND_IN}:${pub.port}/redirect?to=${encodeURIComponent(toLocal)}`;
    expect(await failure(viaAddress, publicStandIn)).toEqual({ reason: 'address', message: PREFLIGHT_NEUTRAL_MESSAGE });

    const byName = `http://internal.example.com:${local.port}/img.jpg`;
    const resolve: PreflightOptions['resolve'] = async (host) => [
      { address: host === 'cdn.example.com' ? PUBLIC_STAND_IN : '127.0.0.1', family: 4 },
    ];
    const viaName = `http://cdn.example.com:${pub.port}/redirect?to=${encodeURIComponent(byName)}`;
    expect(await failure(viaName, { ...publicStandIn, resolve })).toEqual({
      reason: 'address',
      message: PREFLIGHT_NEUTRAL_MESSAGE,
    });
    expect(pub.hits).toHaveLength(2);
    expect(local.hits).toEqual([]);
  });

  it('follows redirects between allowed hosts, at most 5', async () => {
    const base = `http://${PUBLIC_STAND_IN}:${pub.port}`;
    const chain = (n: number): string =>
      n === 0 ? `${base}/img.jpg` : `${base}/redirect?to=${encodeURIComponent(chain(n - 1))}`;
    await expect(preflightImage(chain(5), publicStandIn)).resolves.toMatchObject({ mimeType: 'image/jpeg' });
    expect(await failure(chain(6), publicStandIn)).toEqual({ reason: 'redirects', message: PREFLIGHT_NEUTRAL_MESSAGE });
  });

  it('says the same for an allowed host that is closed, answers 404, or is not http(s)', async () => {
    const closed = await imageHost(PUBLIC_STAND_IN);
    await closed.close();
    const cases: Array<[string, PreflightFailure]> = [
      [`http://${PUBLIC_STAND_IN}:${closed.port}/img.jpg`, 'unreachable'],
      [`http://${PUBLIC_STAND_IN}:${pub.port}/missing.jpg`, 'status'],
      [`file:///etc/passwd`, 'url'],
      ['not a url', 'url'],
    ];
    for (const [url, reason] of cases) {
      expect(await failure(url, publicStandIn)).toEqual({ reason, message: PREFLIGHT_NEUTRAL_MESSAGE });
    }
  });

  it('tells an allowed host that answers with something other than an image what is wrong', async () => {
    expect(await failure(`http://${PUBLIC_STAND_IN}:${pub.port}/page`, publicStandIn)).toEqual({
      reason: 'type',
      message: 'image_url is not a JPEG or PNG (content-type "text/html")',
    });
  });
});

describe('isPublicAddress', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const v4 = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
  /** Addresses of a CIDR block: `base` with the low `32 - bits` bits random. */
  const inBlock = (base: [number, number, number, number], bits: number) =>
    fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((low) => {
      const n = ((base[0] << 24) | (base[1] << 16) | (base[2] << 8) | base[3]) >>> 0;
      const x = (n + low) >>> 0;
      return v4(x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255);
    });
  const blocked = fc.oneof(
    inBlock([127, 0, 0, 0], 8),
    inBlock([10, 0, 0, 0], 8),
    inBlock([172, 16, 0, 0], 12),
    inBlock([192, 168, 0, 0], 16),
    inBlock([100, 64, 0, 0], 10),
    inBlock([169, 254, 0, 0], 16),
    inBlock([0, 0, 0, 0], 8),
    inBlock([224, 0, 0, 0], 4),
    inBlock([240, 0, 0, 0], 4),
  );

  it('refuses every loopback, private, CGNAT, link-local, unspecified, multicast and reserved IPv4 address', () => {
    fc.assert(fc.property(blocked, (ip) => !isPublicAddress(ip) && !isPublicAddress(`::ffff:${ip}`)));
  });

  it('accepts ordinary public addresses, also IPv4-mapped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), octet, octet, octet, (a, b, c, d) => {
        const ip = v4(a === 10 ? 11 : a, b, c, d);
        return isPublicAddress(ip) && isPublicAddress(`::ffff:${ip}`);
      }),
    );
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e']) {
      expect(isPublicAddress(ip)).toBe(true);
    }
  });

  it.each(['::1', '::', 'fe80::1', 'fe80::1%eth0', 'fd12:3456::1', 'ff02::1', '::127.0.0.1', '64:ff9b::a00:1', 'x'])(
    'refuses %s',
    (ip) => expect(isPublicAddress(ip)).toBe(false),
  );
});
