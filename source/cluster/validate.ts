// Reading untyped JSON from the cluster without casts: each accessor checks the shape and
// throws ClusterError('bad-response') naming the path that was missing or wrong, e.g.
// "ssh search: aggregations.offenders.buckets[3].f.value: expected a number, got string".
import { ClusterError } from './types.js';

export type JsonObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * A cursor over a JSON value that knows its path for error messages. The path is built only
 * when something fails: a snapshot reads tens of thousands of values per poll.
 */
export class Reader {
  readonly value: unknown;
  readonly context: string;
  readonly #parent: Reader | undefined;
  readonly #key: string | number | undefined;
  readonly #root: string;

  constructor(value: unknown, context: string, path = '', parent?: Reader, key?: string | number) {
    this.value = value;
    this.context = context;
    this.#root = path;
    this.#parent = parent;
    this.#key = key;
  }

  get path(): string {
    if (!this.#parent) return this.#root;
    const base = this.#parent.path;
    const key = this.#key;
    return typeof key === 'number' ? `${base}[${key}]` : base === '' ? String(key) : `${base}.${key}`;
  }

  fail(expected: string): never {
    const where = this.path === '' ? 'the response' : this.path;
    throw new ClusterError(
      'bad-response',
      `${this.context}: ${where}: expected ${expected}, got ${describe(this.value)}`,
    );
  }

  #child(key: string | number, value: unknown): Reader {
    return new Reader(value, this.context, '', this, key);
  }

  object(): JsonObject {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value))
      this.fail('an object');
    return this.value as JsonObject;
  }

  /** A required member (present, any value). */
  get(key: string): Reader {
    const object = this.object();
    if (!(key in object)) return this.#child(key, undefined).fail(`"${key}" (missing)`);
    return this.#child(key, object[key]);
  }

  /** An optional member: undefined when absent or null. */
  maybe(key: string): Reader | undefined {
    const object = this.object();
    const value = object[key];
    return value === undefined || value === null ? undefined : this.#child(key, value);
  }

  has(key: string): boolean {
    return key in this.object();
  }

  array(): Reader[] {
    if (!Array.isArray(this.value)) this.fail('an array');
    return (this.value as unknown[]).map((item, index) => this.#child(index, item));
  }

  number(): number {
    if (typeof this.value !== 'number' || Number.isNaN(this.value)) this.fail('a number');
    return this.value as number;
  }

  /** A whole, non-negative count. */
  count(): number {
    const value = this.number();
    if (!Number.isInteger(value) || value < 0) this.fail('a non-negative integer');
    return value;
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail('a string');
    return this.value as string;
  }

  /** A terms bucket key: strings stay, numbers (long/ip-as-number fields) become strings. */
  key(): string {
    if (typeof this.value === 'string') return this.value;
    if (typeof this.value === 'number' || typeof this.value === 'boolean') return String(this.value);
    return this.fail('a string or number key');
  }
}
