// One slice (one timeline bucket) of one service, as compact typed arrays: per source IP its
// failures, invalid-user failures and first/last failure; per (source IP, user) pair its
// failures and invalid-user failures. Everything in a snapshot that sums, takes a min/max or
// counts distinct keys merges exactly from these (see merge.ts). Keys are ids into the
// engine's dictionaries; a slice holds one reference per distinct key.
import type { Dictionary } from './dictionary.js';

export interface SliceTable {
  /** Epoch ms, inclusive; the slice ends at start + bucketMs. */
  start: number;
  /** The poll time (`now`) when the cluster was asked for this slice. */
  queriedAt: number;
  failures: number;
  /** Failures without a source IP (the `missing` count of the full query). */
  missingIp: number;
  invalid: number;
  successes: number;
  ips: Int32Array;
  ipFailures: Uint32Array;
  ipInvalid: Uint32Array;
  ipFirst: Float64Array;
  ipLast: Float64Array;
  /** Pairs with a user; ip -1: no source IP. */
  pairIp: Int32Array;
  pairUser: Int32Array;
  pairFailures: Uint32Array;
  pairInvalid: Uint32Array;
  /** Distinct users of the slice (the references it holds). */
  users: Int32Array;
}

/** One composite bucket: (slice, source IP, user) → counts and first/last. */
export interface SliceRow {
  ip: string | null;
  user: string | null;
  failures: number;
  invalid: number;
  first: number;
  last: number;
}

interface IpAccumulator {
  failures: number;
  invalid: number;
  first: number;
  last: number;
}

/** Builds a slice's tables from its composite rows, interning keys. */
export function buildSlice(
  start: number,
  queriedAt: number,
  rows: readonly SliceRow[],
  successes: number,
  ipDict: Dictionary,
  userDict: Dictionary,
): SliceTable {
  const ipIds = new Map<string, number>();
  const userIds = new Map<string, number>();
  const perIp = new Map<number, IpAccumulator>();
  const pairs: number[] = []; // ip, user, failures, invalid
  let failures = 0;
  let missingIp = 0;
  let invalid = 0;
  for (const row of rows) {
    failures += row.failures;
    invalid += row.invalid;
    let ip = -1;
    if (row.ip === null) missingIp += row.failures;
    else {
      const known = ipIds.get(row.ip);
      ip = known ?? ipDict.acquire(row.ip);
      if (known === undefined) ipIds.set(row.ip, ip);
      const acc = perIp.get(ip);
      if (acc) {
        acc.failures += row.failures;
        acc.invalid += row.invalid;
        if (row.first < acc.first) acc.first = row.first;
        if (row.last > acc.last) acc.last = row.last;
      } else
        perIp.set(ip, { failures: row.failures, invalid: row.invalid, first: row.first, last: row.last });
    }
    if (row.user !== null) {
      let user = userIds.get(row.user);
      if (user === undefined) {
        user = userDict.acquire(row.user);
        userIds.set(row.user, user);
      }
      pairs.push(ip, user, row.failures, row.invalid);
    }
  }
  const n = perIp.size;
  const table: SliceTable = {
    start,
    queriedAt,
    failures,
    missingIp,
    invalid,
    successes,
    ips: new Int32Array(n),
    ipFailures: new Uint32Array(n),
    ipInvalid: new Uint32Array(n),
    ipFirst: new Float64Array(n),
    ipLast: new Float64Array(n),
    pairIp: new Int32Array(pairs.length / 4),
    pairUser: new Int32Array(pairs.length / 4),
    pairFailures: new Uint32Array(pairs.length / 4),
    pairInvalid: new Uint32Array(pairs.length / 4),
    users: Int32Array.from(userIds.values()),
  };
  let i = 0;
  for (const [ip, acc] of perIp) {
    table.ips[i] = ip;
    table.ipFailures[i] = acc.failures;
    table.ipInvalid[i] = acc.invalid;
    table.ipFirst[i] = acc.first;
    table.ipLast[i] = acc.last;
    i += 1;
  }
  for (let p = 0; p < pairs.length / 4; p += 1) {
    table.pairIp[p] = pairs[p * 4] ?? -1;
    table.pairUser[p] = pairs[p * 4 + 1] ?? 0;
    table.pairFailures[p] = pairs[p * 4 + 2] ?? 0;
    table.pairInvalid[p] = pairs[p * 4 + 3] ?? 0;
  }
  return table;
}

/** Gives back the slice's key references (it is leaving the window or being replaced). */
export function releaseSlice(slice: SliceTable, ipDict: Dictionary, userDict: Dictionary): void {
  for (const ip of slice.ips) ipDict.release(ip);
  for (const user of slice.users) userDict.release(user);
}

/** Bytes held by a slice's arrays (for the memory figures). */
export function sliceBytes(slice: SliceTable): number {
  return slice.ips.length * 28 + slice.pairIp.length * 16 + slice.users.length * 4 + 120;
}
