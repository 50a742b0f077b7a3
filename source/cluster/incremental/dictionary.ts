// Interned keys (source IPs, user names) with reference counts: each slice holds one
// reference per distinct key it contains, so a key leaves memory when the last slice
// holding it leaves the window. Ids are small dense integers (reused once freed), so the
// per-poll merge can add into typed arrays indexed by id instead of Maps keyed by strings.
// Measured (bench/window.ts, 200,000 distinct IPs): about 90 bytes per key.

export class Dictionary {
  readonly #ids = new Map<string, number>();
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
      this.#ids.set(key, id);
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
    if (key !== undefined) this.#ids.delete(key);
    this.#keys[id] = undefined;
    this.#orderKeys[id] = undefined;
    this.#free.push(id);
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
