/**
 * What the synthetic population's requests look like on the wire: client addresses and user
 * agents. Machine traffic uses real-looking addresses from the engine's own network data files
 * (Apple and iCloud Private Relay for Mail Privacy Protection, the mail-security gateways for
 * scanners) or, for the scanners nobody lists, ordinary public addresses; every user agent is one
 * a browser or mail client really sends. Nothing here marks a request as machine: the population
 * only says who made it, and the engine's classifier has to tell.
 */
import apple from '../../core/tracking/networks/apple.json' with { type: 'json' };
import applePrivateRelay from '../../core/tracking/networks/apple-private-relay.json' with { type: 'json' };
import barracuda from '../../core/tracking/networks/barracuda.json' with { type: 'json' };
import microsoftExchangeOnline from '../../core/tracking/networks/microsoft-exchange-online.json' with { type: 'json' };
import mimecast from '../../core/tracking/networks/mimecast.json' with { type: 'json' };
import proofpoint from '../../core/tracking/networks/proofpoint.json' with { type: 'json' };
import { shippedNetworks } from '../../core/tracking/networks/known-networks.ts';
import type { SeededRandom } from './seeded-random.ts';

const ipv4Ranges = (file: { ranges: string[] }) => file.ranges.filter((range) => !range.includes(':'));

/** Apple MPP fetches images from Apple's own block and from Private Relay egress. */
const APPLE_PROXY_RANGES = [...ipv4Ranges(apple), ...ipv4Ranges(applePrivateRelay)];
/** Safari with Private Relay: a person's click through Apple's relay. */
const PRIVATE_RELAY_RANGES = ipv4Ranges(applePrivateRelay);
/** The gateways' published networks, per vendor. */
export const SCANNER_NETWORK_RANGES: Readonly<Record<string, readonly string[]>> = {
  proofpoint: ipv4Ranges(proofpoint),
  mimecast: ipv4Ranges(mimecast),
  barracuda: ipv4Ranges(barracuda),
  microsoft: ipv4Ranges(microsoftExchangeOnline),
};

/** Browsers people click with (current desktop and mobile ones). */
export const BROWSER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
] as const;

/** Mail clients and image proxies that load the tracking pixel when a person opens the email. */
export const OPENING_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)',
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
] as const;

/** What Apple's Mail Privacy Protection sends when it prefetches the images. */
export const APPLE_MPP_AGENT = 'Mozilla/5.0';

function ipv4Of(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** A random host address inside an IPv4 CIDR range. */
export function addressIn(cidr: string, random: SeededRandom): string {
  const [base, bits] = cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const start = base.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  // Skip the network and broadcast addresses where the range has room for hosts.
  const offset = size > 2 ? 1 + Math.floor(random.next() * (size - 2)) : Math.floor(random.next() * size);
  return ipv4Of(start + offset);
}

export function appleProxyAddress(random: SeededRandom): string {
  return addressIn(random.pick(APPLE_PROXY_RANGES), random);
}

export function privateRelayAddress(random: SeededRandom): string {
  return addressIn(random.pick(PRIVATE_RELAY_RANGES), random);
}

export function scannerNetworkAddress(vendor: string, random: SeededRandom): string {
  const ranges = SCANNER_NETWORK_RANGES[vendor];
  if (!ranges || ranges.length === 0) throw new Error(`no IPv4 ranges for scanner vendor '${vendor}'`);
  return addressIn(random.pick(ranges), random);
}

/**
 * A public address in no listed network: a company's egress, a home connection, or a scanner run
 * from a cloud nobody lists. Private, loopback, multicast and reserved blocks are skipped.
 */
export function unlistedPublicAddress(random: SeededRandom): string {
  const networks = shippedNetworks();
  for (;;) {
    const first = random.int(1, 223);
    if (first === 10 || first === 127 || first === 17 || first === 100 || first === 169 || first === 172 || first === 192) continue;
    const address = `${first}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
    if (networks.networkOf(address) === undefined) return address;
  }
}
