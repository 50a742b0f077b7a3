// Interned keys (source IPs, user names) with reference counts: each slice holds one
// reference per distinct key it contains, so a key leaves memory when the last slice
// holding it leaves the window. Ids are small dense integers (reused once freed), so the
// per-poll merge can add into typed arrays indexed by id instead of Maps keyed by strings.
// Measured (bench/window.ts, 200,000 distinct IPs): about 90 bytes per key.

export class Dictionary {
  #ids = new Map<string, number>();
  /**
   * The Map's hash table as V8 lays it out (an ordered hash table): `#slots` entries; each
   * key added takes the next one and a deleted key's stays taken until the table is rebuilt.
   * When all are taken V8 rebuilds it, at the same size only if half of them are deleted
   * keys, else at twice the size. Under churn (keys leaving with old slices, others coming)
   * that doubled the table for good: 200,000 keys in 262,144 slots (7 MB) leave room for
   * 62,144 adds, then 524,288 slots (14 MB) for the same 200,000 keys (bench:window, retained
   * heap 21.3 → 28.3 MB after some hundred polls). So the Map is rebuilt here first, with
   * its live keys only (same slots, room for at least an eighth more; see #makeRoom): ~90 ms
   * for 200,000 keys, once per ~62,000 keys added. With merge.ts's bitsets, RSS after 1,000
   * polls of the memory bench went 152.4 → 135.2 MB.
   */
  #slots = 4;
  #taken = 0;
  #keys: (string | undefined)[] = [];
  #orderKeys: (string | undefined)[] = [];
  #refs = new Int32Array(1024);
  readonly #free: number[] = [];
  readonly #orderKey: (key: string) => string;

  /** `orderKey` maps a key to a string whose `<` order is the cluster's key order. */
  constructor(orderKey: (key: string) => string = (key) => key) {
    this.#orderKey = orderKey;
  }

  /** Ids are below this. */
  get capacity(): number {
    return this.#keys.length;
  }

  get size(): number {
    return this.#ids.size;
  }

  /** The id of `key`, adding a reference (interning it when new). */
  acquire(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#free.pop() ?? this.#keys.length;
      if (id === this.#keys.length) {
        this.#keys.push(key);
        this.#orderKeys.push(undefined);
      } else {
        this.#keys[id] = key;
        this.#orderKeys[id] = undefined;
      }
      if (this.#taken >= this.#slots) this.#makeRoom();
      this.#ids.set(key, id);
      this.#taken += 1;
      if (id >= this.#refs.length) {
        const grown = new Int32Array(this.#refs.length * 2);
        grown.set(this.#refs);
        this.#refs = grown;
      }
    }
    this.#refs[id] = (this.#refs[id] ?? 0) + 1;
    return id;
  }

  /** Another reference to a key already held (a slice combined from others holds its own). */
  retain(id: number): void {
    if (this.#keys[id] === undefined) throw new Error(`dictionary: id ${id} is not in use`);
    this.#refs[id] = (this.#refs[id] ?? 0) + 1;
  }

  release(id: number): void {
    const left = (this.#refs[id] ?? 0) - 1;
    this.#refs[id] = left;
    if (left > 0) return;
    const key = this.#keys[id];
    if (key !== undefined) {
      this.#ids.delete(key);
      // V8 halves the table when under a quarter of it is live keys (dropping deleted ones).
      if (this.#ids.size < this.#slots >> 2 && this.#slots > 4) {
        this.#slots >>= 1;
        this.#taken = this.#ids.size;
      }
    }
    this.#keys[id] = undefined;
    this.#orderKeys[id] = undefined;
    this.#free.push(id);
  }

  /** Before an add that would find the Map's table full (see #slots). */
  #makeRoom(): void {
    const live = this.#ids.size;
    if (this.#taken - live >= this.#slots >> 1) {
      // V8 rebuilds it at the same size itself.
      this.#taken = live;
    } else if (live <= this.#slots - (this.#slots >> 3)) {
      // Rebuilt at the same size (room for an eighth of it or more, so this costs at most 8
      // re-adds per add) instead of V8 doubling it.
      const ids = new Map<string, number>();
      for (let id = 0; id < this.#keys.length; id += 1) {
        const key = this.#keys[id];
        if (key !== undefined) ids.set(key, id);
      }
      this.#ids = ids;
      this.#taken = live;
    } else {
      // Nearly all live: let it double.
      this.#slots <<= 1;
    }
  }

  key(id: number): string {
    const key = this.#keys[id];
    if (key === undefined) throw new Error(`dictionary: id ${id} is not in use`);
    return key;
  }

  /** The cluster's order for this key (computed once per key). */
  orderKey(id: number): string {
    let order = this.#orderKeys[id];
    if (order === undefined) {
      order = this.#orderKey(this.key(id));
      this.#orderKeys[id] = order;
    }
    return order;
  }

  /** Cluster order of two ids' keys (the `_key: asc` tie-break of a terms aggregation). */
  compare(a: number, b: number): number {
    const left = this.orderKey(a);
    const right = this.orderKey(b);
    return left < right ? -1 : left > right ? 1 : 0;
  }
}

/**
 * Keyword order as the cluster sorts terms (UTF-8 bytes, i.e. code points); JavaScript's `<`
 * compares UTF-16 units, which differ only above U+FFFF: those characters get a form that
 * sorts after every other one, in code-point order.
 */
export function keywordOrderKey(key: string): string {
  if (!/[\uD800-\uDFFF]/.test(key)) return key;
  let order = '';
  for (const char of key) {
    const point = char.codePointAt(0) ?? 0;
    order += point > 0xffff ? `\uFFFF${point.toString(16).padStart(6, '0')}` : char;
  }
  return order;
}
