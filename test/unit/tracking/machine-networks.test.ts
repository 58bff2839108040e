/**
 * The network lists behind machine-traffic verdicts: CIDR parsing and matching for IPv4 and IPv6,
 * and the shipped data files (each with its source and date, every range valid), so a refresh
 * that breaks a file fails here rather than shrinking a list in production.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCidr, formatIpv6, InvalidCidrError, IpRangeSet, parseCidr, parseIp } from '../../../core/tracking/networks/ip-ranges.ts';
import { InvalidNetworkFileError, KnownNetworks, NETWORK_FILES, parseNetworkFile, shippedNetworks } from '../../../core/tracking/networks/known-networks.ts';

describe('parseIp', () => {
  it('reads IPv4, IPv6 in its written forms, and IPv4-mapped IPv6 as IPv4', () => {
    expect(parseIp('192.0.2.1')).toEqual({ version: 4, value: 0xc0000201 });
    expect(parseIp(' 255.255.255.255 ')).toEqual({ version: 4, value: 0xffffffff });
    expect(parseIp('2001:db8::1')).toEqual({ version: 6, value: 0x20010db8000000000000000000000001n });
    expect(parseIp('2001:DB8:0:0:0:0:0:1')).toEqual(parseIp('2001:db8::1'));
    expect(parseIp('[2001:db8::1]')).toEqual(parseIp('2001:db8::1'));
    expect(parseIp('fe80::1%eth0')).toEqual({ version: 6, value: 0xfe800000000000000000000000000001n });
    expect(parseIp('::')).toEqual({ version: 6, value: 0n });
    expect(parseIp('::ffff:17.58.63.10')).toEqual(parseIp('17.58.63.10'));
    expect(parseIp('::ffff:113a:3f0a')).toEqual(parseIp('17.58.63.10'));
    expect(parseIp('64:ff9b::192.0.2.1')).toEqual({ version: 6, value: 0x0064ff9b0000000000000000c0000201n });
  });

  it('refuses what is not an address', () => {
    for (const text of ['', '17', '17.1.2', '17.1.2.3.4', '256.1.1.1', '01.2.3.4', '1.2.3.-4', 'a.b.c.d', '1::2::3', '12345::', ':1:2', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', 'gggg::', '::ffff:1.2.3', 'example.com']) {
      expect(parseIp(text), text).toBeUndefined();
    }
  });
});

describe('parseCidr', () => {
  it('parses ranges of both families, a bare address being a single host', () => {
    expect(parseCidr('17.0.0.0/8')).toMatchObject({ version: 4, prefixLength: 8, first: 0x11000000, last: 0x11ffffff });
    expect(parseCidr('192.0.2.7')).toMatchObject({ version: 4, prefixLength: 32, first: 0xc0000207, last: 0xc0000207 });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ first: 0, last: 0xffffffff });
    expect(parseCidr('2620:149::/32')).toMatchObject({ version: 6, prefixLength: 32, first: 0x26200149000000000000000000000000n, last: 0x26200149ffffffffffffffffffffffffn });
    expect(formatCidr(parseCidr('2a01:0b740:0::/32'.replace('0b740', 'b740')))).toBe('2a01:b740::/32');
  });

  it('refuses malformed ranges and ranges with host bits set, saying why', () => {
    expect(() => parseCidr('17.0.0.1/8')).toThrow(InvalidCidrError);
    expect(() => parseCidr('17.0.0.1/8')).toThrow(/bits are set past the \/8 prefix/);
    expect(() => parseCidr('2001:db8::1/32')).toThrow(/bits are set past/);
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/prefix must be a whole number from 0 to 32/);
    expect(() => parseCidr('2001:db8::/129')).toThrow(/0 to 128/);
    expect(() => parseCidr('10.0.0.0/x')).toThrow(InvalidCidrError);
    expect(() => parseCidr('not-an-ip/24')).toThrow(/is not an IPv4 address/);
  });
});

describe('formatIpv6', () => {
  it('writes RFC 5952 form', () => {
    expect(formatIpv6(0x20010db8000000000000000000000001n)).toBe('2001:db8::1');
    expect(formatIpv6(0n)).toBe('::');
    expect(formatIpv6(0x20010db8000000010000000000000000n)).toBe('2001:db8:0:1::');
    // A single zero group is written out, not as '::'.
    expect(formatIpv6(0x20010db8000000010001000100010001n)).toBe('2001:db8:0:1:1:1:1:1');
  });
});

describe('IpRangeSet', () => {
  it('answers membership at the edges of each range, for both families', () => {
    const set = new IpRangeSet(['192.0.2.0/24', '198.51.100.128/25', '2001:db8:1::/48']);
    expect(set.has('192.0.2.0')).toBe(true);
    expect(set.has('192.0.2.255')).toBe(true);
    expect(set.has('192.0.3.0')).toBe(false);
    expect(set.has('192.0.1.255')).toBe(false);
    expect(set.has('198.51.100.127')).toBe(false);
    expect(set.has('198.51.100.128')).toBe(true);
    expect(set.has('2001:db8:1:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(set.has('2001:db8:2::')).toBe(false);
    expect(set.has('::ffff:192.0.2.9')).toBe(true);
    expect(set.has(undefined)).toBe(false);
    expect(set.has('not an address')).toBe(false);
  });

  it('merges overlapping and adjacent ranges', () => {
    const set = new IpRangeSet(['10.0.0.0/25', '10.0.0.128/25', '10.0.0.0/8', '11.0.0.0/8', '2001:db8::/33', '2001:db8:8000::/33']);
    expect(set.intervalCounts).toEqual({ v4: 1, v6: 1 });
    // One address apart is not adjacent.
    const gapped = new IpRangeSet(['10.0.0.0/32', '10.0.0.2/32', '2001:db8::/128', '2001:db8::2/128']);
    expect(gapped.intervalCounts).toEqual({ v4: 2, v6: 2 });
    expect(gapped.has('10.0.0.1')).toBe(false);
    expect(gapped.has('2001:db8::1')).toBe(false);
  });

  // Either anywhere, or crowded into one small block so ranges touch, overlap and leave one-address gaps.
  const v4Address = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0xc0000200, max: 0xc00002ff }));
  const v4Prefix = fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 28, max: 32 }));
  const v4Range = fc.record({ address: v4Address, prefix: v4Prefix }).map(({ address, prefix }) => {
    const size = 2 ** (32 - prefix);
    const first = Math.floor(address / size) * size;
    return { first, last: first + size - 1, text: `${[24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.')}/${prefix}` };
  });
  const v4Text = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

  it('agrees with a plain scan of the ranges for any IPv4 ranges and address', () => {
    fc.assert(
      fc.property(fc.array(v4Range, { maxLength: 30 }), v4Address, fc.integer({ min: -1, max: 29 }), (ranges, random, nearRange) => {
        // Half the probes sit on or next to a range's edge, where off-by-one mistakes live.
        const target = ranges[nearRange];
        const probe = target ? Math.min(0xffffffff, Math.max(0, [target.first, target.last, target.first - 1, target.last + 1][random % 4] as number)) : random;
        const expected = ranges.some((range) => range.first <= probe && probe <= range.last);
        expect(new IpRangeSet(ranges.map((range) => range.text)).has(v4Text(probe))).toBe(expected);
      }),
    );
  });

  it('agrees with a plain scan of the ranges for any IPv6 ranges and address', () => {
    const v6Range = fc.record({ address: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), prefix: fc.integer({ min: 0, max: 128 }) }).map(({ address, prefix }) => {
      const hostMask = (1n << BigInt(128 - prefix)) - 1n;
      const first = address & ~hostMask;
      return { first, last: first | hostMask, text: `${formatIpv6(first)}/${prefix}` };
    });
    fc.assert(
      fc.property(fc.array(v6Range, { maxLength: 20 }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: -1, max: 19 }), fc.nat(3), (ranges, random, nearRange, edge) => {
        const target = ranges[nearRange];
        let probe = target ? [target.first, target.last, target.first - 1n, target.last + 1n][edge] ?? random : random;
        probe = probe < 0n ? 0n : probe > (1n << 128n) - 1n ? (1n << 128n) - 1n : probe;
        // Leave out the IPv4-mapped block: such an address is read as IPv4 by design.
        fc.pre(probe >> 32n !== 0xffffn);
        const expected = ranges.some((range) => range.first <= probe && probe <= range.last);
        expect(new IpRangeSet(ranges.map((range) => range.text)).has(formatIpv6(probe))).toBe(expected);
      }),
    );
  });
});

describe('shipped network files', () => {
  const files = NETWORK_FILES.map(parseNetworkFile);

  it('each name their source, the date they were retrieved, and only valid ranges', () => {
    expect(files.map((file) => file.id)).toEqual(['apple', 'apple-private-relay', 'microsoft-exchange-online', 'proofpoint', 'mimecast', 'barracuda', 'google-mail']);
    for (const file of files) {
      expect(file.source, file.id).toMatch(/^https?:\/\//);
      expect(file.retrieved, file.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(() => new IpRangeSet(file.ranges), file.id).not.toThrow();
      expect(new Set(file.ranges).size, `${file.id} lists a range twice`).toBe(file.ranges.length);
    }
  });

  it('keep the Private Relay IPv4 list whole and the IPv6 one at /48 or wider', () => {
    const relay = files.find((file) => file.id === 'apple-private-relay');
    const ranges = (relay?.ranges ?? []).map(parseCidr);
    expect(ranges.filter((range) => range.version === 4).length).toBeGreaterThan(3_000);
    expect(ranges.filter((range) => range.version === 6).every((range) => range.prefixLength <= 48)).toBe(true);
  });

  it('place known addresses in the right network', () => {
    const networks = shippedNetworks();
    const idOf = (ip: string) => networks.networkOf(ip)?.id;
    expect(idOf('17.58.63.10')).toBe('apple');
    expect(idOf('::ffff:17.1.2.3')).toBe('apple');
    expect(idOf('2620:149:a44::1')).toBe('apple');
    expect(idOf('2a01:b740:1::1')).toBe('apple');
    expect(idOf('104.28.28.5')).toBe('apple-private-relay');
    expect(idOf('2a02:26f7:b3c0:4000::1')).toBe('apple-private-relay');
    expect(idOf('40.107.22.9')).toBe('microsoft-exchange-online');
    expect(idOf('2a01:111:f403:c000::9')).toBe('microsoft-exchange-online');
    expect(idOf('148.163.150.1')).toBe('proofpoint');
    expect(idOf('205.139.110.4')).toBe('mimecast');
    expect(idOf('209.222.82.10')).toBe('barracuda');
    expect(idOf('66.249.84.1')).toBe('google-mail');
    expect(networks.networkOf('198.51.100.7')).toBeUndefined();
    expect(networks.networkOf('2001:db8::1')).toBeUndefined();
    expect(networks.networkOf(undefined)).toBeUndefined();
    expect(networks.networkOf('garbage')).toBeUndefined();
  });
});

describe('a malformed network file', () => {
  const valid = { id: 'example', name: 'Example', kind: 'mail-security-scanner', source: 'https://example.com/ranges', retrieved: '2026-12-02', note: 'test', ranges: ['192.0.2.0/24'] };

  it('fails with the file and the problem, not a smaller list', () => {
    expect(() => KnownNetworks.fromData([{ ...valid, ranges: ['192.0.2.1/24'] }])).toThrow(InvalidNetworkFileError);
    expect(() => KnownNetworks.fromData([{ ...valid, ranges: ['192.0.2.1/24'] }])).toThrow(/networks\/example\.json: '192\.0\.2\.1\/24' is not a CIDR range/);
    expect(() => KnownNetworks.fromData([{ ...valid, retrieved: 'last week' }])).toThrow(/example\.json: retrieved: expected a date like 2026-12-02/);
    expect(() => KnownNetworks.fromData([{ ...valid, kind: 'cdn' }])).toThrow(/example\.json: kind/);
    expect(() => KnownNetworks.fromData([{ ...valid, ranges: [] }])).toThrow(/example\.json: ranges/);
    expect(KnownNetworks.fromData([valid]).networkOf('192.0.2.9')).toEqual({ id: 'example', name: 'Example', kind: 'mail-security-scanner' });
  });
});
