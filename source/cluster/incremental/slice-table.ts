// One slice of one service (a time range within one timeline bucket: the whole bucket, or a
// part of it while it is recent, see engine.ts), as compact typed arrays: per source IP its
// failures, invalid-user failures and first/last failure; per (source IP, user) pair its
// failures and invalid-user failures. Everything in a snapshot that sums, takes a min/max or
// counts distinct keys merges exactly from these (see merge.ts). Keys are ids into the
// engine's dictionaries; a slice holds one reference per distinct key.
import type { Dictionary } from './dictionary.js';

type Counts = Uint8Array | Uint16Array | Uint32Array;

export interface SliceTable {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive; never past the end of the start's timeline bucket. */
  end: number;
  /** The poll time (`now`) when the cluster was asked for this slice. */
  queriedAt: number;
  failures: number;
  /** Failures without a source IP (the `missing` count of the full query). */
  missingIp: number;
  invalid: number;
  successes: number;
  ips: Int32Array;
  /** Counts in 1 byte when the slice's largest fits (Uint8), else 2 (Uint16), else 4. */
  ipFailures: Counts;
  ipInvalid: Counts;
  /**
   * First/last failure per IP, as ms after `timeBase`: offsets within the slice in 2 bytes
   * when all are below 65,536 (slices of up to a minute: 5 s and 15 s ones here), else 4
   * (timeBase = start) unless one is not a whole ms in range (timeBase 0, epoch ms in 8).
   * Saves 8 bytes per (IP, slice): ~6 MB of the bench's 200,000-IP state, and 2 bytes
   * more: ~1 MB more.
   */
  timeBase: number;
  ipFirst: Uint16Array | Uint32Array | Float64Array;
  ipLast: Uint16Array | Uint32Array | Float64Array;
  /** Pairs with a user; ip -1: no source IP. */
  pairIp: Int32Array;
  /** User ids in 2 bytes while the user dictionary's ids fit (Uint16), else 4. */
  pairUser: Uint16Array | Int32Array;
  pairFailures: Counts;
  pairInvalid: Counts;
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

/** A growable typed array's next size. */
function grown<T extends Int32Array | Uint32Array | Float64Array>(array: T, make: (size: number) => T): T {
  const next = make(array.length * 2);
  next.set(array);
  return next;
}

/** A builder's growable arrays, all of one capacity. */
interface Scratch {
  ips: Int32Array;
  ipFailures: Uint32Array;
  ipInvalid: Uint32Array;
  ipFirst: Float64Array;
  ipLast: Float64Array;
  pairIp: Int32Array;
  pairUser: Int32Array;
  pairFailures: Uint32Array;
  pairInvalid: Uint32Array;
}

/**
 * Scratch arrays of finished builders, for the next ones. A builder's arrays live for one read
 * and the slice's own arrays (copies, made at finish) for minutes: made afresh at every read
 * they were freed between long-lived blocks and left the C heap in holes; the memory bench
 * (bench:window, 200,000 IPs) grew ~1.9 MB per 1,000 polls that way. Only capacities up to
 * POOLED_CAPACITY are kept (larger blocks get pages of their own, see bin/soc-watch.js, and
 * are returned whole), at most POOLED_SETS of them: ≤ 2.9 MB held.
 */
const POOLED_CAPACITY = 16_384;
const POOLED_SETS = 4;
const scratchPool: Scratch[] = [];

function takeScratch(size: number): Scratch {
  let best = -1;
  for (let k = 0; k < scratchPool.length; k += 1) {
    const capacity = scratchPool[k]!.ips.length;
    if (capacity >= size && (best < 0 || capacity < scratchPool[best]!.ips.length)) best = k;
  }
  if (best >= 0) return scratchPool.splice(best, 1)[0]!;
  // Powers of two, so a pooled set fits the next slices of about the same size.
  let capacity = 16;
  while (capacity < size) capacity *= 2;
  return {
    ips: new Int32Array(capacity),
    ipFailures: new Uint32Array(capacity),
    ipInvalid: new Uint32Array(capacity),
    ipFirst: new Float64Array(capacity),
    ipLast: new Float64Array(capacity),
    pairIp: new Int32Array(capacity),
    pairUser: new Int32Array(capacity),
    pairFailures: new Uint32Array(capacity),
    pairInvalid: new Uint32Array(capacity),
  };
}

function giveScratch(scratch: Scratch): void {
  // A set whose IP and pair arrays grew apart is not pooled (a set is of one capacity).
  const capacity = scratch.ips.length;
  if (capacity > POOLED_CAPACITY || scratch.pairIp.length !== capacity) return;
  if (scratchPool.length < POOLED_SETS) scratchPool.push(scratch);
}

/**
 * Builds one slice from its composite buckets as they are parsed, straight into typed
 * arrays, interning keys at once: no object per bucket outlives its page (the composite
 * rows held as objects until the slice was complete were most of a poll's garbage, and
 * V8 kept the room for it: RSS several times the state).
 */
export class SliceBuilder {
  readonly start: number;
  readonly end: number;
  readonly #ipDict: Dictionary;
  readonly #userDict: Dictionary;
  readonly #positionOf = new Map<string, number>();
  readonly #userIds = new Map<string, number>();
  #ipCount = 0;
  #ips: Int32Array;
  #ipFailures: Uint32Array;
  #ipInvalid: Uint32Array;
  #ipFirst: Float64Array;
  #ipLast: Float64Array;
  #pairCount = 0;
  #pairIp: Int32Array;
  #pairUser: Int32Array;
  #pairFailures: Uint32Array;
  #pairInvalid: Uint32Array;
  #failures = 0;
  #missingIp = 0;
  #invalid = 0;
  #done = false;

  /**
   * `expected`: the slice's failures when known (its count search answered first): no more
   * pairs or IPs than that, so the arrays are made once at that size (up to 65,536, beyond
   * which they double as before; a 24-minute bucket can hold millions of failures but far
   * fewer pairs) instead of doubling from 256, which left freed blocks behind.
   */
  constructor(start: number, end: number, ipDict: Dictionary, userDict: Dictionary, expected = 256) {
    this.start = start;
    this.end = end;
    this.#ipDict = ipDict;
    this.#userDict = userDict;
    const size = Math.max(16, Math.min(expected, 1 << 16));
    // Every element is written before it is read (add), so a pooled set's old values do not show.
    const scratch = takeScratch(size);
    this.#ips = scratch.ips;
    this.#ipFailures = scratch.ipFailures;
    this.#ipInvalid = scratch.ipInvalid;
    this.#ipFirst = scratch.ipFirst;
    this.#ipLast = scratch.ipLast;
    this.#pairIp = scratch.pairIp;
    this.#pairUser = scratch.pairUser;
    this.#pairFailures = scratch.pairFailures;
    this.#pairInvalid = scratch.pairInvalid;
  }

  /** Done: the arrays go back to the pool (nothing of them is used after finish or discard). */
  #release(): void {
    giveScratch({
      ips: this.#ips,
      ipFailures: this.#ipFailures,
      ipInvalid: this.#ipInvalid,
      ipFirst: this.#ipFirst,
      ipLast: this.#ipLast,
      pairIp: this.#pairIp,
      pairUser: this.#pairUser,
      pairFailures: this.#pairFailures,
      pairInvalid: this.#pairInvalid,
    });
  }

  /** One composite bucket: (source IP, user) → failures, invalid-user failures, first/last. */
  add(
    ipKey: string | null,
    userKey: string | null,
    failures: number,
    invalid: number,
    first: number,
    last: number,
  ) {
    // Its arrays may be another builder's by now.
    if (this.#done) throw new Error('slice builder: add after finish or discard');
    this.#failures += failures;
    this.#invalid += invalid;
    let ip = -1;
    if (ipKey === null) this.#missingIp += failures;
    else {
      const position = this.#positionOf.get(ipKey);
      if (position === undefined) {
        ip = this.#ipDict.acquire(ipKey);
        const at = this.#ipCount++;
        if (at === this.#ips.length) {
          this.#ips = grown(this.#ips, (n) => new Int32Array(n));
          this.#ipFailures = grown(this.#ipFailures, (n) => new Uint32Array(n));
          this.#ipInvalid = grown(this.#ipInvalid, (n) => new Uint32Array(n));
          this.#ipFirst = grown(this.#ipFirst, (n) => new Float64Array(n));
          this.#ipLast = grown(this.#ipLast, (n) => new Float64Array(n));
        }
        this.#positionOf.set(ipKey, at);
        this.#ips[at] = ip;
        this.#ipFailures[at] = failures;
        this.#ipInvalid[at] = invalid;
        this.#ipFirst[at] = first;
        this.#ipLast[at] = last;
      } else {
        ip = this.#ips[position] ?? -1;
        this.#ipFailures[position] = (this.#ipFailures[position] ?? 0) + failures;
        this.#ipInvalid[position] = (this.#ipInvalid[position] ?? 0) + invalid;
        if (first < (this.#ipFirst[position] ?? 0)) this.#ipFirst[position] = first;
        if (last > (this.#ipLast[position] ?? 0)) this.#ipLast[position] = last;
      }
    }
    if (userKey === null) return;
    let user = this.#userIds.get(userKey);
    if (user === undefined) {
      user = this.#userDict.acquire(userKey);
      this.#userIds.set(userKey, user);
    }
    const at = this.#pairCount++;
    if (at === this.#pairIp.length) {
      this.#pairIp = grown(this.#pairIp, (n) => new Int32Array(n));
      this.#pairUser = grown(this.#pairUser, (n) => new Int32Array(n));
      this.#pairFailures = grown(this.#pairFailures, (n) => new Uint32Array(n));
      this.#pairInvalid = grown(this.#pairInvalid, (n) => new Uint32Array(n));
    }
    this.#pairIp[at] = ip;
    this.#pairUser[at] = user;
    this.#pairFailures[at] = failures;
    this.#pairInvalid[at] = invalid;
  }

  /** The slice, its arrays trimmed to size (copies: the growable ones become garbage once). */
  finish(queriedAt: number, successes: number): SliceTable {
    this.#done = true;
    const n = this.#ipCount;
    const p = this.#pairCount;
    const times = offsets(this.#ipFirst.subarray(0, n), this.#ipLast.subarray(0, n), this.start);
    const slice: SliceTable = {
      start: this.start,
      end: this.end,
      queriedAt,
      failures: this.#failures,
      missingIp: this.#missingIp,
      invalid: this.#invalid,
      successes,
      ips: this.#ips.slice(0, n),
      ipFailures: counts(this.#ipFailures.subarray(0, n)),
      ipInvalid: counts(this.#ipInvalid.subarray(0, n)),
      ...times,
      pairIp: this.#pairIp.slice(0, p),
      pairUser: userIds(this.#pairUser.subarray(0, p)),
      pairFailures: counts(this.#pairFailures.subarray(0, p)),
      pairInvalid: counts(this.#pairInvalid.subarray(0, p)),
      users: Int32Array.from(this.#userIds.values()),
    };
    this.#release();
    return slice;
  }

  /** A read that failed: give back the keys taken so far. */
  discard(): void {
    if (this.#done) return;
    this.#done = true;
    for (let k = 0; k < this.#ipCount; k += 1) this.#ipDict.release(this.#ips[k] ?? 0);
    for (const user of this.#userIds.values()) this.#userDict.release(user);
    this.#release();
  }
}

/**
 * Counts copied into 1 or 2 bytes each when the largest fits (most slices: ~7 MB of the
 * bench's state in 2 bytes; in 1, where a composite bucket is a few failures, ~3 MB more).
 */
function counts(values: Uint32Array): Counts {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max <= 0xff ? Uint8Array.from(values) : max <= 0xffff ? Uint16Array.from(values) : values.slice();
}

/**
 * User ids copied into 2 bytes each when all fit (~2 MB of the bench's 1,000,000 pairs).
 * With 1-byte counts, 2-byte time offsets and merge.ts's tighter scratch: typed arrays of the
 * memory bench 41.1 → 28.3 MB, RSS after 1,000 polls 135.2 → 124.8 MB.
 */
function userIds(values: Int32Array): Uint16Array | Int32Array {
  for (const value of values) if (value < 0 || value > 0xffff) return values.slice();
  return Uint16Array.from(values);
}

/** First/last times as Uint32 offsets from `start` when all fit, else the epoch ms as they are. */
function offsets(
  first: Float64Array,
  last: Float64Array,
  start: number,
): Pick<SliceTable, 'timeBase' | 'ipFirst' | 'ipLast'> {
  const fits = (value: number) =>
    Number.isInteger(value - start) && value >= start && value - start <= 0xffffffff;
  if (!first.every(fits) || !last.every(fits))
    return { timeBase: 0, ipFirst: first.slice(), ipLast: last.slice() };
  let max = 0;
  for (const value of first) if (value - start > max) max = value - start;
  for (const value of last) if (value - start > max) max = value - start;
  if (max <= 0xffff)
    return {
      timeBase: start,
      ipFirst: Uint16Array.from(first, (value) => value - start),
      ipLast: Uint16Array.from(last, (value) => value - start),
    };
  return {
    timeBase: start,
    ipFirst: Uint32Array.from(first, (value) => value - start),
    ipLast: Uint32Array.from(last, (value) => value - start),
  };
}

/** Builds a slice's tables from its composite rows, interning keys. */
export function buildSlice(
  start: number,
  end: number,
  queriedAt: number,
  rows: readonly SliceRow[],
  successes: number,
  ipDict: Dictionary,
  userDict: Dictionary,
): SliceTable {
  const builder = new SliceBuilder(start, end, ipDict, userDict);
  for (const row of rows) builder.add(row.ip, row.user, row.failures, row.invalid, row.first, row.last);
  return builder.finish(queriedAt, successes);
}

/**
 * Adjacent slices (in time order, within one timeline bucket) as one: what the cluster would
 * answer for their whole range, since every field sums, takes a min/max or is a distinct key.
 * Takes its own key references (the caller releases the parts). Its `queriedAt` is the last
 * part's, so it is sealed exactly when that part is (engine.ts).
 */
export function combineSlices(
  parts: readonly SliceTable[],
  ipDict: Dictionary,
  userDict: Dictionary,
): SliceTable {
  const first = parts[0];
  const lastPart = parts[parts.length - 1];
  if (!first || !lastPart) throw new Error('combineSlices: no slices');
  // Typed arrays at the parts' total size (an upper bound), trimmed at the end: no growing
  // JavaScript arrays of numbers (a bucket of 1M-in-15m traffic combines ~17,000 pairs).
  let ipRows = 0;
  let pairRows = 0;
  for (const part of parts) {
    ipRows += part.ips.length;
    pairRows += part.pairIp.length;
  }
  const ipAt = new Map<number, number>();
  const ipIds = new Int32Array(ipRows);
  const ipFailures = new Uint32Array(ipRows);
  const ipInvalid = new Uint32Array(ipRows);
  const ipFirst = new Float64Array(ipRows);
  const ipLast = new Float64Array(ipRows);
  const pairAt = new Map<number, number>();
  const pairIp = new Int32Array(pairRows);
  const pairUser = new Int32Array(pairRows);
  const pairFailures = new Uint32Array(pairRows);
  const pairInvalid = new Uint32Array(pairRows);
  const users = new Set<number>();
  let ipCount = 0;
  let pairCount = 0;
  let failures = 0;
  let missingIp = 0;
  let invalid = 0;
  let successes = 0;
  for (const part of parts) {
    failures += part.failures;
    missingIp += part.missingIp;
    invalid += part.invalid;
    successes += part.successes;
    for (let k = 0; k < part.ips.length; k += 1) {
      const id = part.ips[k] ?? 0;
      const f = part.timeBase + (part.ipFirst[k] ?? 0);
      const l = part.timeBase + (part.ipLast[k] ?? 0);
      const at = ipAt.get(id);
      if (at === undefined) {
        ipAt.set(id, ipCount);
        ipIds[ipCount] = id;
        ipFailures[ipCount] = part.ipFailures[k] ?? 0;
        ipInvalid[ipCount] = part.ipInvalid[k] ?? 0;
        ipFirst[ipCount] = f;
        ipLast[ipCount] = l;
        ipCount += 1;
      } else {
        ipFailures[at] = (ipFailures[at] ?? 0) + (part.ipFailures[k] ?? 0);
        ipInvalid[at] = (ipInvalid[at] ?? 0) + (part.ipInvalid[k] ?? 0);
        if (f < (ipFirst[at] ?? 0)) ipFirst[at] = f;
        if (l > (ipLast[at] ?? 0)) ipLast[at] = l;
      }
    }
    for (let p = 0; p < part.pairIp.length; p += 1) {
      const ip = part.pairIp[p] ?? -1;
      const user = part.pairUser[p] ?? 0;
      users.add(user);
      // ip + 1 (ids below 2^21 in practice) above 32 bits, the user below: one safe integer.
      const key = (ip + 1) * 0x100000000 + user;
      const at = pairAt.get(key);
      if (at === undefined) {
        pairAt.set(key, pairCount);
        pairIp[pairCount] = ip;
        pairUser[pairCount] = user;
        pairFailures[pairCount] = part.pairFailures[p] ?? 0;
        pairInvalid[pairCount] = part.pairInvalid[p] ?? 0;
        pairCount += 1;
      } else {
        pairFailures[at] = (pairFailures[at] ?? 0) + (part.pairFailures[p] ?? 0);
        pairInvalid[at] = (pairInvalid[at] ?? 0) + (part.pairInvalid[p] ?? 0);
      }
    }
  }
  const ips = ipIds.subarray(0, ipCount);
  for (const id of ips) ipDict.retain(id);
  for (const id of users) userDict.retain(id);
  return {
    start: first.start,
    end: lastPart.end,
    queriedAt: lastPart.queriedAt,
    failures,
    missingIp,
    invalid,
    successes,
    ips: ips.slice(),
    ipFailures: counts(ipFailures.subarray(0, ipCount)),
    ipInvalid: counts(ipInvalid.subarray(0, ipCount)),
    ...offsets(ipFirst.subarray(0, ipCount), ipLast.subarray(0, ipCount), first.start),
    pairIp: pairIp.slice(0, pairCount),
    pairUser: userIds(pairUser.subarray(0, pairCount)),
    pairFailures: counts(pairFailures.subarray(0, pairCount)),
    pairInvalid: counts(pairInvalid.subarray(0, pairCount)),
    users: Int32Array.from(users),
  };
}

/** Gives back the slice's key references (it is leaving the window or being replaced). */
export function releaseSlice(slice: SliceTable, ipDict: Dictionary, userDict: Dictionary): void {
  for (const ip of slice.ips) ipDict.release(ip);
  for (const user of slice.users) userDict.release(user);
}

/** Bytes held by a slice's arrays (for the memory figures). */
export function sliceBytes(slice: SliceTable): number {
  return (
    slice.ips.length * 4 +
    slice.ipFailures.byteLength +
    slice.ipInvalid.byteLength +
    slice.ipFirst.byteLength * 2 +
    slice.pairIp.byteLength +
    slice.pairUser.byteLength +
    slice.pairFailures.byteLength +
    slice.pairInvalid.byteLength +
    slice.users.length * 4 +
    120
  );
}
