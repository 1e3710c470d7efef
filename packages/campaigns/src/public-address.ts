import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * True for an address anyone on the internet could reach: ipaddr.js's `unicast` range, which leaves out loopback,
 * RFC 1918, CGNAT 100.64/10, link-local (169.254/16 with the metadata address, fe80::/10), unique-local fc00::/7,
 * unspecified, multicast, broadcast, documentation/benchmark/reserved blocks and the IPv6 forms that carry an IPv4
 * address inside (NAT64, 6to4, Teredo). An IPv4-mapped IPv6 address is judged as the IPv4 address it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    // ::/96, the deprecated IPv4-compatible form, is "unicast" to ipaddr.js but never a public host.
    else if (v6.parts.slice(0, 6).every((p) => p === 0)) return false;
  }
  return ip.range() === 'unicast';
}

/** Name resolution as the guard needs it: every address a name stands for. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, order: 'verbatim' }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A refused address; its text stays in the server (it is never shown to the caller). */
export class AddressRefusedError extends Error {
  readonly code = 'EADDRREFUSED';
  constructor(hostname: string) {
    super(`${hostname} resolves to an address that is not public`);
    this.name = new.target.name;
  }
}

/**
 * A `lookup` for net/tls.connect that resolves the name and hands the socket only addresses `allowed` accepts:
 * the address checked is the one connected to, so a name that answers differently a second time (DNS rebinding)
 * gains nothing. A name with any refused address is refused whole.
 */
export function guardedLookup(allowed: (address: string) => boolean, resolve: Resolve = systemResolve) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (all) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const addresses = family ? all.filter((a) => a.family === family) : all;
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        if (!addresses.every((a) => allowed(a.address))) return callback(new AddressRefusedError(hostname), '');
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
