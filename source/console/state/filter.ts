// The `/` filter: a CIDR (`10.0.0.0/8`, `2001:db8::/32`) matches addresses inside it;
// anything else is a case-insensitive substring of the IP or of a tried account name.
import type { Offender } from '../../contracts/snapshot.js';
import { type Cidr, ipInCidr, parseCidr } from '../../core/net.js';
import type { Alert } from '../../detect/alert.js';

export interface RowFilter {
  text: string;
  cidr: Cidr | undefined;
  needle: string;
}

export function compileFilter(text: string): RowFilter | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const cidr = trimmed.includes('/') ? parseCidr(trimmed) : undefined;
  return { text: trimmed, cidr, needle: trimmed.toLowerCase() };
}

function ipMatches(filter: RowFilter, ip: string): boolean {
  if (filter.cidr) return ipInCidr(ip, filter.cidr);
  return ip.toLowerCase().includes(filter.needle);
}

function nameMatches(filter: RowFilter, names: readonly { name: string }[]): boolean {
  return !filter.cidr && names.some((entry) => entry.name.toLowerCase().includes(filter.needle));
}

export function offenderMatches(filter: RowFilter | null, offender: Offender): boolean {
  if (!filter) return true;
  return (
    ipMatches(filter, offender.ip) ||
    nameMatches(filter, offender.topUsers) ||
    (!filter.cidr && (offender.successUser ?? '').toLowerCase().includes(filter.needle))
  );
}

export function alertMatches(filter: RowFilter | null, alert: Alert): boolean {
  if (!filter) return true;
  if (alert.keyKind === 'ip') {
    if (ipMatches(filter, alert.key)) return true;
  } else if (!filter.cidr && alert.key.toLowerCase().includes(filter.needle)) {
    return true;
  }
  return nameMatches(filter, alert.topUsers);
}
