// IP and CIDR helpers on ipaddr.js (a well-kept parser that handles IPv6 zone-less forms,
// IPv4-mapped IPv6 and prefix math) so allow-lists, mutes and the UI filter agree.
import ipaddr from 'ipaddr.js';

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parse an address; IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes IPv4. Undefined if invalid. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    const addr = ipaddr.parse(text.trim());
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
      return (addr as ipaddr.IPv6).toIPv4Address();
    }
    return addr;
  } catch {
    return undefined;
  }
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** Parse `10.0.0.0/8`, `2001:db8::/32` or a single address (as /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    try {
      const [addr, bits] = ipaddr.parseCIDR(trimmed);
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
      }
      return [addr, bits];
    } catch {
      return undefined;
    }
  }
  const addr = parseIp(trimmed);
  if (!addr) return undefined;
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

/** Does `ip` fall within `cidr`? False when either is invalid or the families differ. */
export function ipInCidr(ip: string, cidr: string | Cidr): boolean {
  const addr = parseIp(ip);
  const range = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  if (!addr || !range) return false;
  if (addr.kind() !== range[0].kind()) return false;
  return addr.match(range as [ipaddr.IPv4, number]);
}

export function ipInAny(ip: string, cidrs: readonly (string | Cidr)[]): boolean {
  return cidrs.some((cidr) => ipInCidr(ip, cidr));
}

const INTERNAL_RANGES = new Set(['private', 'loopback', 'uniqueLocal', 'linkLocal', 'carrierGradeNat']);
// The rules ask this for every offender of every rule on every poll (thousands of times a
// poll on a busy cluster) and each parse allocates: ~10 % of a busy console's garbage
// (measured). An address's answer never changes, so it is remembered; the cache is cleared
// when full, which bounds it (~0.5 MB) whatever the number of distinct sources.
const internalCache = new Map<string, boolean>();
const INTERNAL_CACHE_MAX = 8192;

/** Internal: RFC 1918, RFC 4193 (fc00::/7), loopback, link-local, CGNAT. */
export function isInternalIp(ip: string): boolean {
  const known = internalCache.get(ip);
  if (known !== undefined) return known;
  const addr = parseIp(ip);
  const internal = addr !== undefined && INTERNAL_RANGES.has(addr.range());
  if (internalCache.size >= INTERNAL_CACHE_MAX) internalCache.clear();
  internalCache.set(ip, internal);
  return internal;
}

const sortKeys = new Map<string, string>();
const SORT_KEY_CACHE = 4096;

/**
 * A key that orders addresses numerically: IPv4 as its IPv4-mapped IPv6 form, so
 * 192.0.2.77 comes before 192.0.2.200 and IPv4 sorts before the rest of IPv6; text that is
 * not an address sorts after every address, by its text.
 */
export function ipSortKey(ip: string): string {
  let key = sortKeys.get(ip);
  if (key !== undefined) return key;
  const addr = parseIp(ip);
  const bytes =
    addr === undefined
      ? undefined
      : addr.kind() === 'ipv4'
        ? (addr as ipaddr.IPv4).toIPv4MappedAddress().toByteArray()
        : addr.toByteArray();
  key = bytes ? `0${bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('')}` : `1${ip}`;
  if (sortKeys.size >= SORT_KEY_CACHE) sortKeys.clear();
  sortKeys.set(ip, key);
  return key;
}

/** Numeric address order (see ipSortKey). */
export function compareIps(a: string, b: string): number {
  const left = ipSortKey(a);
  const right = ipSortKey(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
