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

/**
 * The merge's working arrays, kept between polls and grown when the dictionaries grow: a
 * merge of 200,000 IPs needs ~10 MB of them, and allocating them at every poll made V8 hold
 * several polls' worth of garbage (RSS 390-540 MB in bench:window for ~60 MB retained).
 */
export class MergeScratch {
  readonly #f64: Float64Array[] = [];
  readonly #i32: Int32Array[] = [];

  /**
   * Room for a sixteenth more than asked: the dictionaries' capacity creeps up a few ids at a
   * time, and growing by half (as before) left ~100,000 unused elements in each of 8 arrays
   * (~4 MB) at 200,000 IPs.
   */
  static #room(size: number): number {
    return size + (size >>> 4) + 64;
  }

  /** Slot `slot`'s Float64Array of `size` elements, all set to `fill`. */
  f64(slot: number, size: number, fill = 0): Float64Array {
    let array = this.#f64[slot];
    if (!array || array.length < size) {
      array = new Float64Array(MergeScratch.#room(size));
      this.#f64[slot] = array;
    }
    const view = array.subarray(0, size);
    view.fill(fill);
    return view;
  }

  i32(slot: number, size: number, fill = 0): Int32Array {
    let array = this.#i32[slot];
    if (!array || array.length < size) {
      array = new Int32Array(MergeScratch.#room(size));
      this.#i32[slot] = array;
    }
    const view = array.subarray(0, size);
    view.fill(fill);
    return view;
  }
}

/** Indices of the `size` largest by `value`, ties by `compare`, ranked. */
function topIds(
  ids: Int32Array,
  value: Float64Array,
  size: number,
  compare: (a: number, b: number) => number,
  counts: Float64Array,
): number[] {
  // Select by count first: only keys at or above the size-th largest count need the
  // (string) key comparison.
  let threshold = Number.NEGATIVE_INFINITY;
  if (ids.length > size) {
    for (let k = 0; k < ids.length; k += 1) counts[k] = value[ids[k] ?? 0] ?? 0;
    const sorted = counts.subarray(0, ids.length).sort();
    threshold = sorted[sorted.length - size] ?? 0;
  }
  const candidates: number[] = [];
  for (const id of ids) if ((value[id] ?? 0) >= threshold) candidates.push(id);
  candidates.sort((a, b) => (value[b] ?? 0) - (value[a] ?? 0) || compare(a, b));
  return candidates.slice(0, size);
}

export function mergeSlices(
  slices: Iterable<SliceTable>,
  window: MergeWindow,
  ipDict: Dictionary,
  userDict: Dictionary,
  options: { maxOffenders: number; detailed: number; hasInvalidUser: boolean },
  scratch: MergeScratch = new MergeScratch(),
): MergedService {
  const cap = ipDict.capacity;
  const failuresOf = scratch.f64(0, cap);
  const invalidOf = scratch.f64(1, cap);
  const firstOf = scratch.f64(2, cap, Number.POSITIVE_INFINITY);
  const lastOf = scratch.f64(3, cap, Number.NEGATIVE_INFINITY);
  const ucap = userDict.capacity;
  const userFailures = scratch.f64(4, ucap);
  const userInvalid = scratch.f64(5, ucap);
  const timeline = new Array<number>(window.buckets).fill(0);
  let failures = 0;
  let invalid = 0;
  let missingIp = 0;
  let successes = 0;
  const list = Array.isArray(slices) ? (slices as SliceTable[]) : [...slices];
  for (const slice of list) {
    // Slices may be finer than the timeline's buckets (engine.ts sliceMs): each adds to its bucket.
    const index = Math.floor((slice.start - window.from) / window.bucketMs);
    if (index >= 0 && index < window.buckets) timeline[index] = (timeline[index] ?? 0) + slice.failures;
    failures += slice.failures;
    invalid += slice.invalid;
    missingIp += slice.missingIp;
    successes += slice.successes;
    const { ips, ipFailures, ipInvalid, ipFirst, ipLast, timeBase } = slice;
    for (let k = 0; k < ips.length; k += 1) {
      const id = ips[k] ?? 0;
      failuresOf[id] = (failuresOf[id] ?? 0) + (ipFailures[k] ?? 0);
      invalidOf[id] = (invalidOf[id] ?? 0) + (ipInvalid[k] ?? 0);
      const first = timeBase + (ipFirst[k] ?? 0);
      const last = timeBase + (ipLast[k] ?? 0);
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
  const presentAll = scratch.i32(0, cap);
  let ipCount = 0;
  for (let id = 0; id < cap; id += 1) if ((failuresOf[id] ?? 0) > 0) presentAll[ipCount++] = id;
  const presentIps = presentAll.subarray(0, ipCount);
  const usersAll = scratch.i32(1, ucap);
  let userCount = 0;
  for (let id = 0; id < ucap; id += 1) if ((userFailures[id] ?? 0) > 0) usersAll[userCount++] = id;
  const presentUsers = usersAll.subarray(0, userCount);

  const counts = scratch.f64(6, Math.max(cap, ucap));
  const rankedIds = topIds(
    presentIps,
    failuresOf,
    options.maxOffenders,
    (a, b) => ipDict.compare(a, b),
    counts,
  );
  const scannedUsers = topIds(
    presentUsers,
    userFailures,
    TARGETED_USERS_SCANNED,
    (a, b) => userDict.compare(a, b),
    counts,
  );

  // Second pass over the pairs, for the rows that are shown only.
  const rankOf = scratch.i32(2, cap, -1);
  rankedIds.forEach((id, rank) => {
    rankOf[id] = rank;
  });
  const scannedOf = scratch.i32(3, ucap, -1);
  scannedUsers.forEach((id, rank) => {
    scannedOf[id] = rank;
  });
  const usersOfIp = rankedIds.map(() => new Set<number>());
  const userCountsOfIp = rankedIds.slice(0, options.detailed).map(() => new Map<number, number>());
  // Distinct IPs per scanned user: one row of `cap` bits per user in the scratch (1.25 MB for
  // 50 users of 200,000 IPs), not a Set of IPs per user: those Sets' hash tables came to
  // 11 MB per merge in bench:window (the most targeted users have tens of thousands of IPs),
  // garbage at once but sometimes still held at the next collection (retained heap 21.3 or
  // 32.5 MB from one sample to the next) and V8 kept the room for them.
  const words = (cap + 31) >>> 5;
  const ipBits = scratch.i32(4, scannedUsers.length * words);
  const ipsOfUser = new Int32Array(scannedUsers.length);
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
        if (scanned >= 0) {
          const word = scanned * words + (ip >>> 5);
          const bit = 1 << (ip & 31);
          const had = ipBits[word] ?? 0;
          if ((had & bit) === 0) {
            ipBits[word] = had | bit;
            ipsOfUser[scanned] = (ipsOfUser[scanned] ?? 0) + 1;
          }
        }
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
    distinctIps: ipsOfUser[rank] ?? 0,
    invalidUserFailures: options.hasInvalidUser ? (userInvalid[id] ?? 0) : 0,
  }));
  return {
    failures,
    invalid: options.hasInvalidUser ? invalid : 0,
    missingIp,
    successes,
    distinctIps: ipCount,
    timeline,
    ranked,
    truncated: ipCount > options.maxOffenders,
    users,
  };
}
