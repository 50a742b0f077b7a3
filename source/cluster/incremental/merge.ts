// Merging a window's slices into what the full query's aggregations would answer. Pure.
// Exact by construction: sums (failures, invalid-user failures, timeline, successes),
// min/max (first/last failure) and distinct keys (distinct IPs; distinct users per IP and
// distinct IPs per user, from the (IP, user) pairs) all compose over disjoint slices. Ranking
// follows the terms aggregations of query.ts: most failures first, ties by the cluster's key
// order (`_key: asc`).
import type { NamedCount, TargetedUser } from '../../contracts/snapshot.js';
import { TARGETED_USERS_SCANNED, TOP_USERS } from '../query.js';
import type { Dictionary } from './dictionary.js';
import type { SliceTable } from './slice-table.js';

export interface RankedIp {
  id: number;
  ip: string;
  failures: number;
  invalid: number;
  first: number;
  last: number;
  distinctUsers: number;
  /** Filled for the first `detailed` ranks only. */
  topUsers: NamedCount[];
}

export interface MergedService {
  failures: number;
  invalid: number;
  missingIp: number;
  successes: number;
  /** Distinct source IP keys (as the cardinality aggregation counts them). */
  distinctIps: number;
  timeline: number[];
  /** The top `maxOffenders` keys, ranked. */
  ranked: RankedIp[];
  /** More keys than `maxOffenders` had failures. */
  truncated: boolean;
  /** Users with most failures (TARGETED_USERS_SCANNED), unsorted by targeting. */
  users: TargetedUser[];
}

export interface MergeWindow {
  from: number;
  bucketMs: number;
  buckets: number;
}

/** Indices of the `size` largest by `value`, ties by `compare`, ranked. */
function topIds(
  ids: number[],
  value: Float64Array,
  size: number,
  compare: (a: number, b: number) => number,
): number[] {
  let candidates = ids;
  if (ids.length > size) {
    // Select by count first: only keys at or above the size-th largest count need the
    // (string) key comparison.
    const counts = Float64Array.from(ids, (id) => value[id] ?? 0).sort();
    const threshold = counts[counts.length - size] ?? 0;
    candidates = ids.filter((id) => (value[id] ?? 0) >= threshold);
  }
  candidates.sort((a, b) => (value[b] ?? 0) - (value[a] ?? 0) || compare(a, b));
  return candidates.slice(0, size);
}

export function mergeSlices(
  slices: Iterable<SliceTable>,
  window: MergeWindow,
  ipDict: Dictionary,
  userDict: Dictionary,
  options: { maxOffenders: number; detailed: number; hasInvalidUser: boolean },
): MergedService {
  const cap = ipDict.capacity;
  const failuresOf = new Float64Array(cap);
  const invalidOf = new Float64Array(cap);
  const firstOf = new Float64Array(cap).fill(Number.POSITIVE_INFINITY);
  const lastOf = new Float64Array(cap).fill(Number.NEGATIVE_INFINITY);
  const ucap = userDict.capacity;
  const userFailures = new Float64Array(ucap);
  const userInvalid = new Float64Array(ucap);
  const timeline = new Array<number>(window.buckets).fill(0);
  let failures = 0;
  let invalid = 0;
  let missingIp = 0;
  let successes = 0;
  const list = [...slices];
  for (const slice of list) {
    const index = (slice.start - window.from) / window.bucketMs;
    if (index >= 0 && index < window.buckets) timeline[index] = slice.failures;
    failures += slice.failures;
    invalid += slice.invalid;
    missingIp += slice.missingIp;
    successes += slice.successes;
    const { ips, ipFailures, ipInvalid, ipFirst, ipLast } = slice;
    for (let k = 0; k < ips.length; k += 1) {
      const id = ips[k] ?? 0;
      failuresOf[id] = (failuresOf[id] ?? 0) + (ipFailures[k] ?? 0);
      invalidOf[id] = (invalidOf[id] ?? 0) + (ipInvalid[k] ?? 0);
      const first = ipFirst[k] ?? 0;
      const last = ipLast[k] ?? 0;
      if (first < (firstOf[id] ?? 0)) firstOf[id] = first;
      if (last > (lastOf[id] ?? 0)) lastOf[id] = last;
    }
    const { pairUser, pairFailures, pairInvalid } = slice;
    for (let p = 0; p < pairUser.length; p += 1) {
      const user = pairUser[p] ?? 0;
      userFailures[user] = (userFailures[user] ?? 0) + (pairFailures[p] ?? 0);
      userInvalid[user] = (userInvalid[user] ?? 0) + (pairInvalid[p] ?? 0);
    }
  }
  const presentIps: number[] = [];
  for (let id = 0; id < cap; id += 1) if ((failuresOf[id] ?? 0) > 0) presentIps.push(id);
  const presentUsers: number[] = [];
  for (let id = 0; id < ucap; id += 1) if ((userFailures[id] ?? 0) > 0) presentUsers.push(id);

  const rankedIds = topIds(presentIps, failuresOf, options.maxOffenders, (a, b) => ipDict.compare(a, b));
  const scannedUsers = topIds(presentUsers, userFailures, TARGETED_USERS_SCANNED, (a, b) =>
    userDict.compare(a, b),
  );

  // Second pass over the pairs, for the rows that are shown only.
  const rankOf = new Int32Array(cap).fill(-1);
  rankedIds.forEach((id, rank) => {
    rankOf[id] = rank;
  });
  const scannedOf = new Int32Array(ucap).fill(-1);
  scannedUsers.forEach((id, rank) => {
    scannedOf[id] = rank;
  });
  const usersOfIp = rankedIds.map(() => new Set<number>());
  const userCountsOfIp = rankedIds.slice(0, options.detailed).map(() => new Map<number, number>());
  const ipsOfUser = scannedUsers.map(() => new Set<number>());
  for (const slice of list) {
    const { pairIp, pairUser, pairFailures } = slice;
    for (let p = 0; p < pairIp.length; p += 1) {
      const ip = pairIp[p] ?? -1;
      const user = pairUser[p] ?? 0;
      if (ip >= 0) {
        const rank = rankOf[ip] ?? -1;
        if (rank >= 0) {
          usersOfIp[rank]?.add(user);
          const counts = userCountsOfIp[rank];
          if (counts) counts.set(user, (counts.get(user) ?? 0) + (pairFailures[p] ?? 0));
        }
        const scanned = scannedOf[user] ?? -1;
        if (scanned >= 0) ipsOfUser[scanned]?.add(ip);
      }
    }
  }

  const ranked: RankedIp[] = rankedIds.map((id, rank) => {
    const counts = userCountsOfIp[rank];
    const topUsers: NamedCount[] = counts
      ? [...counts.entries()]
          .sort(([a, ca], [b, cb]) => cb - ca || userDict.compare(a, b))
          .slice(0, TOP_USERS)
          .map(([user, count]) => ({ name: userDict.key(user), count }))
      : [];
    return {
      id,
      ip: ipDict.key(id),
      failures: failuresOf[id] ?? 0,
      invalid: options.hasInvalidUser ? (invalidOf[id] ?? 0) : 0,
      first: firstOf[id] ?? 0,
      last: lastOf[id] ?? 0,
      distinctUsers: usersOfIp[rank]?.size ?? 0,
      topUsers,
    };
  });
  const users: TargetedUser[] = scannedUsers.map((id, rank) => ({
    user: userDict.key(id),
    failures: userFailures[id] ?? 0,
    distinctIps: ipsOfUser[rank]?.size ?? 0,
    invalidUserFailures: options.hasInvalidUser ? (userInvalid[id] ?? 0) : 0,
  }));
  return {
    failures,
    invalid: options.hasInvalidUser ? invalid : 0,
    missingIp,
    successes,
    distinctIps: presentIps.length,
    timeline,
    ranked,
    truncated: presentIps.length > options.maxOffenders,
    users,
  };
}
