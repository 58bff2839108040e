/**
 * IP addresses and CIDR ranges (IPv4 and IPv6), and a matcher that answers "is this address in
 * one of these ranges?" in O(log n): each range becomes an interval, overlapping and adjacent
 * intervals are merged, and a lookup is a binary search. IPv4 addresses live as numbers,
 * IPv6 addresses as 128-bit bigints; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
 * dual-stack socket reports for an IPv4 client) is read as the IPv4 address it carries.
 */

/** An address as a number: up to 2^32 - 1 for IPv4, a 128-bit bigint for IPv6. */
export type IpAddress = { version: 4; value: number } | { version: 6; value: bigint };

/** A CIDR range as its first and last address. */
export type CidrRange = { version: 4; prefixLength: number; first: number; last: number } | { version: 6; prefixLength: number; first: bigint; last: bigint };

/** A range in a data file is not a CIDR range, or has bits set past its prefix. */
export class InvalidCidrError extends Error {
  constructor(text: string, why: string) {
    super(`'${text}' is not a CIDR range like 192.0.2.0/24 or 2001:db8::/32: ${why}`);
    this.name = 'InvalidCidrError';
  }
}

const IPV6_BITS = 128n;
const IPV6_MAX = (1n << IPV6_BITS) - 1n;

/** The address in `text`, or undefined when it is not one. Accepts `[v6]`, a `%zone` suffix and IPv4-mapped IPv6. */
export function parseIp(text: string): IpAddress | undefined {
  let candidate = text.trim();
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const zone = candidate.indexOf('%');
  if (zone >= 0) candidate = candidate.slice(0, zone);
  if (!candidate.includes(':')) {
    const value = parseIpv4(candidate);
    return value === undefined ? undefined : { version: 4, value };
  }
  const value = parseIpv6(candidate);
  if (value === undefined) return undefined;
  // ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2): an IPv4 client on a dual-stack socket.
  if (value >> 32n === 0xffffn) return { version: 4, value: Number(value & 0xffffffffn) };
  return { version: 6, value };
}

// Hand-written rather than regular expressions: the shipped lists hold thousands of ranges and
// are parsed when a Lambda first classifies traffic, so parsing is on the cold-start path.
function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let index = 0; index <= text.length; index++) {
    const code = index < text.length ? text.charCodeAt(index) : 46; // a final '.' closes the last octet
    if (code === 46) {
      if (digits === 0 || octet > 255) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (code >= 48 && code <= 57) {
      // No leading zeros: some parsers read "010" as octal, so it is ambiguous.
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + (code - 48);
      if (++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return dots === 4 ? value : undefined;
}

/** The groups of `a:b:c`, or undefined when one is not 1 to 4 hex digits. */
function hexGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  let group = 0;
  let digits = 0;
  for (let index = 0; index <= text.length; index++) {
    const code = index < text.length ? text.charCodeAt(index) : 58; // a final ':' closes the last group
    if (code === 58) {
      if (digits === 0) return undefined;
      groups.push(group);
      group = 0;
      digits = 0;
      continue;
    }
    const nibble = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1;
    if (nibble < 0 || ++digits > 4) return undefined;
    group = group * 16 + nibble;
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text;
  // An embedded IPv4 address may end the address (::ffff:192.0.2.1, 64:ff9b::192.0.2.1).
  let v4Tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.indexOf('.', lastColon) > lastColon) {
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    v4Tail = [Math.floor(v4 / 0x10000), v4 % 0x10000];
    // Keep the colon when it is half of a '::'.
    body = body[lastColon - 1] === ':' ? body.slice(0, lastColon + 1) : body.slice(0, lastColon);
  }
  const gap = body.indexOf('::');
  let groups: number[];
  if (gap < 0) {
    const all = hexGroups(body);
    if (!all || all.length + v4Tail.length !== 8) return undefined;
    groups = [...all, ...v4Tail];
  } else {
    if (body.indexOf('::', gap + 1) >= 0) return undefined;
    const head = hexGroups(body.slice(0, gap));
    const tail = hexGroups(body.slice(gap + 2));
    if (!head || !tail) return undefined;
    const written = head.length + tail.length + v4Tail.length;
    if (written > 7) return undefined;
    groups = [...head, ...Array<number>(8 - written).fill(0), ...tail, ...v4Tail];
  }
  let hexText = '0x';
  for (const group of groups) hexText += group.toString(16).padStart(4, '0');
  return BigInt(hexText);
}

const hostMasks6: bigint[] = [];
const hostMask6 = (prefixLength: number) => (hostMasks6[prefixLength] ??= (1n << (IPV6_BITS - BigInt(prefixLength))) - 1n);

/** Parses `address/prefix` (a bare address is a /32 or /128). Throws InvalidCidrError. */
export function parseCidr(text: string): CidrRange {
  const slash = text.indexOf('/');
  const addressText = (slash < 0 ? text : text.slice(0, slash)).trim();
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1).trim();
  // Not parseIp: a range is never written as an IPv4-mapped address, and mapping would change its prefix.
  const isV6 = addressText.includes(':');
  const value = isV6 ? parseIpv6(addressText) : parseIpv4(addressText);
  if (value === undefined) throw new InvalidCidrError(text, `'${addressText}' is not an IPv${isV6 ? 6 : 4} address`);
  const bits = isV6 ? 128 : 32;
  const prefixLength = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefixLength >= 0 && prefixLength <= bits)) throw new InvalidCidrError(text, `the prefix must be a whole number from 0 to ${bits}`);
  if (typeof value === 'bigint') {
    const hostMask = hostMask6(prefixLength);
    if ((value & hostMask) !== 0n) throw new InvalidCidrError(text, `bits are set past the /${prefixLength} prefix`);
    return { version: 6, prefixLength, first: value, last: value | hostMask };
  }
  const size = 2 ** (32 - prefixLength);
  if (value % size !== 0) throw new InvalidCidrError(text, `bits are set past the /${prefixLength} prefix`);
  return { version: 4, prefixLength, first: value, last: value + size - 1 };
}

/** The range in its normal written form (`192.0.2.0/24`, `2001:db8::/32`). */
export function formatCidr(range: CidrRange): string {
  const address = range.version === 4 ? formatIpv4(range.first) : formatIpv6(range.first);
  return `${address}/${range.prefixLength}`;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** RFC 5952 form: lower case, the longest run of two or more zero groups written as `::`. */
export function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt((7 - index) * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) [bestStart, bestLength] = [start, end - start];
    start = end;
  }
  const text = groups.map((group) => group.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}

/** Sorted, non-overlapping intervals of one address family, searched by binary search. */
class Intervals<T extends number | bigint> {
  private readonly starts: T[] = [];
  private readonly ends: T[] = [];

  constructor(intervals: [T, T][], adjacent: (end: T, start: T) => boolean) {
    const sorted = [...intervals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [start, end] of sorted) {
      const lastEnd = this.ends.at(-1);
      if (lastEnd !== undefined && (start <= lastEnd || adjacent(lastEnd, start))) {
        if (end > lastEnd) this.ends[this.ends.length - 1] = end;
        continue;
      }
      this.starts.push(start);
      this.ends.push(end);
    }
  }

  get size(): number {
    return this.starts.length;
  }

  contains(value: T): boolean {
    let low = 0;
    let high = this.starts.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if ((this.starts[middle] as T) > value) high = middle - 1;
      else if ((this.ends[middle] as T) < value) low = middle + 1;
      else return true;
    }
    return false;
  }
}

/** A set of CIDR ranges that answers membership in O(log n). Build once, look up many times. */
export class IpRangeSet {
  private readonly v4: Intervals<number>;
  private readonly v6: Intervals<bigint>;

  /** Throws InvalidCidrError (with the offending range) for anything that is not a CIDR range. */
  constructor(ranges: Iterable<string>) {
    const v4: [number, number][] = [];
    const v6: [bigint, bigint][] = [];
    for (const text of ranges) {
      const range = parseCidr(text);
      if (range.version === 4) v4.push([range.first, range.last]);
      else v6.push([range.first, range.last]);
    }
    this.v4 = new Intervals(v4, (end, start) => end + 1 === start);
    this.v6 = new Intervals(v6, (end, start) => end !== IPV6_MAX && end + 1n === start);
  }

  /** Merged intervals held (after joining overlapping and adjacent ranges), per family. */
  get intervalCounts(): { v4: number; v6: number } {
    return { v4: this.v4.size, v6: this.v6.size };
  }

  has(address: IpAddress | string | undefined): boolean {
    const parsed = typeof address === 'string' ? parseIp(address) : address;
    if (!parsed) return false;
    return parsed.version === 4 ? this.v4.contains(parsed.value) : this.v6.contains(parsed.value);
  }
}
