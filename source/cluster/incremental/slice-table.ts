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

/** Builds a slice's tables from its composite rows, interning keys. */
export function buildSlice(
  start: number,
  queriedAt: number,
  rows: readonly SliceRow[],
  successes: number,
  ipDict: Dictionary,
  userDict: Dictionary,
): SliceTable {
  // Per IP: its position in flat arrays (no object per IP: a slice of a busy window holds
  // tens of thousands, and a resync builds every slice of the window).
  const positionOf = new Map<string, number>();
  const ids: number[] = [];
  const ipFailures: number[] = [];
  const ipInvalid: number[] = [];
  const ipFirst: number[] = [];
  const ipLast: number[] = [];
  const userIds = new Map<string, number>();
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
      const position = positionOf.get(row.ip);
      if (position === undefined) {
        ip = ipDict.acquire(row.ip);
        positionOf.set(row.ip, ids.length);
        ids.push(ip);
        ipFailures.push(row.failures);
        ipInvalid.push(row.invalid);
        ipFirst.push(row.first);
        ipLast.push(row.last);
      } else {
        ip = ids[position] ?? -1;
        ipFailures[position] = (ipFailures[position] ?? 0) + row.failures;
        ipInvalid[position] = (ipInvalid[position] ?? 0) + row.invalid;
        if (row.first < (ipFirst[position] ?? 0)) ipFirst[position] = row.first;
        if (row.last > (ipLast[position] ?? 0)) ipLast[position] = row.last;
      }
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
  const pairCount = pairs.length / 4;
  const table: SliceTable = {
    start,
    queriedAt,
    failures,
    missingIp,
    invalid,
    successes,
    ips: Int32Array.from(ids),
    ipFailures: Uint32Array.from(ipFailures),
    ipInvalid: Uint32Array.from(ipInvalid),
    ipFirst: Float64Array.from(ipFirst),
    ipLast: Float64Array.from(ipLast),
    pairIp: new Int32Array(pairCount),
    pairUser: new Int32Array(pairCount),
    pairFailures: new Uint32Array(pairCount),
    pairInvalid: new Uint32Array(pairCount),
    users: Int32Array.from(userIds.values()),
  };
  for (let p = 0; p < pairCount; p += 1) {
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
