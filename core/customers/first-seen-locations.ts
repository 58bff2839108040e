/**
 * Where each key (an account id, a contact id, an address) was first seen in one import, in
 * bounded memory: a streamed import of a million contacts must still name the line a duplicate
 * repeats ("first at contacts.csv line 12") without keeping a million strings. A key is kept as a
 * 64-bit hash (two independent 32-bit hashes) in typed arrays with its location packed beside it,
 * 14 bytes, plus 4 to 8 bytes of hash-table slot: about 25 MB for a million keys. Two different keys share a hash with a probability near n^2 / 2^65
 * (about 3 in 100 million for a million keys); then the later one would be reported as a duplicate,
 * named, not silently dropped.
 */
import type { RecordLocation } from './import-customers.ts';

const LINE = 1;
const INDEX = 2;
const NEITHER = 3;
const INITIAL_CAPACITY = 1024;
/** Two bits of `meta` say how `position` reads; the rest number the source. */
const MAX_SOURCES = 1 << 14;

export class FirstSeenLocations {
  private size = 0;
  /**
   * Open addressing over the keys kept below: 0 is an empty slot, else the key's number plus 1.
   * Slots are 4 bytes, so the table can stay under three quarters full cheaply.
   */
  private slots = new Uint32Array(INITIAL_CAPACITY * 2);
  // The keys in the order they were first seen, 14 bytes each.
  private hashA = new Uint32Array(INITIAL_CAPACITY);
  private hashB = new Uint32Array(INITIAL_CAPACITY);
  private position = new Uint32Array(INITIAL_CAPACITY);
  private meta = new Uint16Array(INITIAL_CAPACITY);
  /** The distinct sources (file names) of the locations kept: one or two per import. */
  private readonly sources: string[] = [];

  get count(): number {
    return this.size;
  }

  /** The location `key` was first remembered at, or undefined. */
  firstAt(key: string): RecordLocation | undefined {
    const [a, b] = hashesOf(key);
    const entry = this.slots[this.slotOf(a, b)] as number;
    return entry === 0 ? undefined : this.locationOf(entry - 1);
  }

  /** Remembers `key` at `location` unless it was seen before; returns the earlier location, if any. */
  remember(key: string, location: RecordLocation): RecordLocation | undefined {
    const [a, b] = hashesOf(key);
    const slot = this.slotOf(a, b);
    const entry = this.slots[slot] as number;
    if (entry !== 0) return this.locationOf(entry - 1);
    if (this.size === this.hashA.length) this.growKeys();
    const kind = location.line !== undefined ? LINE : location.index !== undefined ? INDEX : NEITHER;
    this.hashA[this.size] = a;
    this.hashB[this.size] = b;
    this.position[this.size] = location.line ?? location.index ?? 0;
    this.meta[this.size] = kind | (this.sourceNumber(location.source) << 2);
    this.size++;
    this.slots[slot] = this.size;
    // Linear probing stays short below three quarters full.
    if (this.size * 4 > this.slots.length * 3) this.growSlots();
    return undefined;
  }

  private slotOf(a: number, b: number): number {
    const mask = this.slots.length - 1;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const entry = this.slots[slot] as number;
      if (entry === 0 || (this.hashA[entry - 1] === a && this.hashB[entry - 1] === b)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private locationOf(key: number): RecordLocation {
    const meta = this.meta[key] as number;
    const source = this.sources[meta >>> 2] as string;
    const position = this.position[key] as number;
    const kind = meta & 3;
    if (kind === LINE) return { source, line: position };
    if (kind === INDEX) return { source, index: position };
    return { source };
  }

  private sourceNumber(source: string): number {
    const known = this.sources.indexOf(source);
    if (known >= 0) return known;
    if (this.sources.length === MAX_SOURCES) throw new RangeError(`an import of more than ${MAX_SOURCES} sources cannot name where each key was first seen`);
    this.sources.push(source);
    return this.sources.length - 1;
  }

  private growKeys(): void {
    const capacity = this.hashA.length * 2;
    const grown = <A extends Uint32Array | Uint16Array>(old: A, make: (length: number) => A): A => {
      const bigger = make(capacity);
      bigger.set(old);
      return bigger;
    };
    this.hashA = grown(this.hashA, (length) => new Uint32Array(length));
    this.hashB = grown(this.hashB, (length) => new Uint32Array(length));
    this.position = grown(this.position, (length) => new Uint32Array(length));
    this.meta = grown(this.meta, (length) => new Uint16Array(length));
  }

  private growSlots(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    for (let key = 0; key < this.size; key++) this.slots[this.slotOf(this.hashA[key] as number, this.hashB[key] as number)] = key + 1;
  }
}

/** FNV-1a and a murmur3-style mix over the UTF-16 code units: two unrelated 32-bit hashes. */
function hashesOf(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}
