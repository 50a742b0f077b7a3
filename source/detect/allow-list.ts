// Allow-lists: CIDR ranges (scanners, bastions) and account patterns (machine accounts
// `*$`, `ANONYMOUS LOGON`, service accounts). They suppress alerts; the numbers stay
// visible. Compiled once per AllowList object (the settings are replaced, not mutated).

import type { AllowList } from '../config/types.js';
import type { Offender } from '../contracts/snapshot.js';
import { type Cidr, ipInAny, parseCidr } from '../core/net.js';

interface CompiledAllowList {
  cidrs: Cidr[];
  users: RegExp[];
}

const compiled = new WeakMap<AllowList, CompiledAllowList>();

/** `*` matches any run of characters; everything else is literal; case-insensitive. */
export function userPattern(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'iu');
}

function compile(list: AllowList): CompiledAllowList {
  let entry = compiled.get(list);
  if (!entry) {
    entry = {
      // Invalid entries are rejected by config validation; here they simply match nothing.
      cidrs: list.cidrs.map(parseCidr).filter((cidr): cidr is Cidr => cidr !== undefined),
      users: list.users.filter((user) => user.length > 0).map(userPattern),
    };
    compiled.set(list, entry);
  }
  return entry;
}

export function ipAllowed(list: AllowList, ip: string): boolean {
  const { cidrs } = compile(list);
  return cidrs.length > 0 && ipInAny(ip, cidrs);
}

export function userAllowed(list: AllowList, user: string): boolean {
  return compile(list).users.some((pattern) => pattern.test(user));
}

/**
 * Every account the offender tried is allow-listed. Only decidable when `topUsers` lists
 * all of them (distinctUsers ≤ topUsers.length); an offender with unlisted accounts, or
 * with no account at all, is not suppressed this way.
 */
export function allUsersAllowed(list: AllowList, offender: Offender): boolean {
  if (offender.topUsers.length === 0 || offender.topUsers.length < offender.distinctUsers) return false;
  return offender.topUsers.every((user) => userAllowed(list, user.name));
}

/** Alerts keyed on this offender's IP are suppressed. */
export function offenderAllowed(list: AllowList, offender: Offender): boolean {
  return ipAllowed(list, offender.ip) || allUsersAllowed(list, offender);
}
