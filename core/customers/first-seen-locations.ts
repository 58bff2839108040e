/**
 * Where each key (an account id, a contact id, an address) was first seen in one import, in
 * bounded memory: a streamed import of a million contacts must still name the line a duplicate
 * repeats ("first at contacts.csv line 12") without keeping a million strings. A key is kept as a
 * 64-bit hash (two independent 32-bit hashes) in typed arrays, about 20 bytes a key, with the
 * location packed beside it. Two different keys share a hash with a probability near n^2 / 2^65
 * (about 3 in 100 million for a million keys); then the later one would be reported as a duplicate,
 * named, not silently dropped.
 */
import type { RecordLocation } from './import-customers.ts';

const EMPTY = 0;
const LINE = 1;
const INDEX = 2;
const NEITHER = 3;
const INITIAL_CAPACITY = 1024;

export class FirstSeenLocations {
  private capacity = INITIAL_CAPACITY;
  private size = 0;
  private hashA = new Uint32Array(INITIAL_CAPACITY);
  private hashB = new Uint32Array(INITIAL_CAPACITY);
  private position = new Uint32Array(INITIAL_CAPACITY);
  /** EMPTY, or how `position` reads (LINE, INDEX, NEITHER) in the low 2 bits, the source's number above. */
  private meta = new Uint32Array(INITIAL_CAPACITY);
  /** The distinct sources (file names) of the locations kept: one or two per import. */
  private readonly sources: string[] = [];

  get count(): number {
    return this.size;
  }

  /** The location `key` was first remembered at, or undefined. */
  firstAt(key: string): RecordLocation | undefined {
    const [a, b] = hashesOf(key);
    const slot = this.slotOf(a, b);
    const meta = this.meta[slot] as number;
    return meta === EMPTY ? undefined : this.locationAt(slot, meta);
  }

  /** Remembers `key` at `location` unless it was seen before; returns the earlier location, if any. */
  remember(key: string, location: RecordLocation): RecordLocation | undefined {
    const [a, b] = hashesOf(key);
    const slot = this.slotOf(a, b);
    const meta = this.meta[slot] as number;
    if (meta !== EMPTY) return this.locationAt(slot, meta);
    this.hashA[slot] = a;
    this.hashB[slot] = b;
    const kind = location.line !== undefined ? LINE : location.index !== undefined ? INDEX : NEITHER;
    this.position[slot] = location.line ?? location.index ?? 0;
    this.meta[slot] = kind | (this.sourceNumber(location.source) << 2);
    this.size++;
    // Linear probing stays short below three quarters full.
    if (this.size * 4 > this.capacity * 3) this.grow();
    return undefined;
  }

  private slotOf(a: number, b: number): number {
    const mask = this.capacity - 1;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (this.meta[slot] !== EMPTY && (this.hashA[slot] !== a || this.hashB[slot] !== b)) slot = (slot + 1) & mask;
    return slot;
  }

  private locationAt(slot: number, meta: number): RecordLocation {
    const source = this.sources[meta >>> 2] as string;
    const position = this.position[slot] as number;
    const kind = meta & 3;
    if (kind === LINE) return { source, line: position };
    if (kind === INDEX) return { source, index: position };
    return { source };
  }

  private sourceNumber(source: string): number {
    const known = this.sources.indexOf(source);
    if (known >= 0) return known;
    this.sources.push(source);
    return this.sources.length - 1;
  }

  private grow(): void {
    const old = { hashA: this.hashA, hashB: this.hashB, position: this.position, meta: this.meta, capacity: this.capacity };
    this.capacity *= 2;
    this.hashA = new Uint32Array(this.capacity);
    this.hashB = new Uint32Array(this.capacity);
    this.position = new Uint32Array(this.capacity);
    this.meta = new Uint32Array(this.capacity);
    for (let i = 0; i < old.capacity; i++) {
      if (old.meta[i] === EMPTY) continue;
      const slot = this.slotOf(old.hashA[i] as number, old.hashB[i] as number);
      this.hashA[slot] = old.hashA[i] as number;
      this.hashB[slot] = old.hashB[i] as number;
      this.position[slot] = old.position[i] as number;
      this.meta[slot] = old.meta[i] as number;
    }
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
