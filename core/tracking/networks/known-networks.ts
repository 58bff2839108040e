/**
 * The networks whose traffic says something about machines: Apple's Mail Privacy Protection
 * proxies (Apple's own blocks and the iCloud Private Relay egress it loads images through) and
 * mail-security scanners (Exchange Online / Defender Safe Links, Proofpoint, Mimecast, Barracuda,
 * Google's mail servers). Each network is a JSON data file in this folder with its source URL and
 * retrieval date, imported statically (the core reads no files at run time), so refreshing a list
 * is a data change: README.md says how. The files are checked when first used: a malformed file
 * fails loudly with its name, never as a silently smaller list.
 */
import { z } from 'zod';
import apple from './apple.json' with { type: 'json' };
import applePrivateRelay from './apple-private-relay.json' with { type: 'json' };
import barracuda from './barracuda.json' with { type: 'json' };
import googleMail from './google-mail.json' with { type: 'json' };
import { InvalidCidrError, IpRangeSet, parseIp } from './ip-ranges.ts';
import microsoftExchangeOnline from './microsoft-exchange-online.json' with { type: 'json' };
import mimecast from './mimecast.json' with { type: 'json' };
import proofpoint from './proofpoint.json' with { type: 'json' };

/**
 * `apple-mail-privacy-proxy`: an open from here is Apple prefetching the images (Mail Privacy
 * Protection); a click from here is a person (Safari with Private Relay, or on Apple's network).
 * `mail-security-scanner`: a click from here is a gateway following the link, not a person.
 */
export const NETWORK_KINDS = ['apple-mail-privacy-proxy', 'mail-security-scanner'] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like 2026-12-02');

export const networkFileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  kind: z.enum(NETWORK_KINDS),
  /** Where the list is published (the page or feed to refresh it from). */
  source: z.url(),
  /** The date the published list carried, when it says. */
  sourceDate: isoDate.optional(),
  /** When it was copied here. */
  retrieved: isoDate,
  /** How it was copied when the source itself could not be reached (a mirror, a DNS record). */
  via: z.string().min(1).optional(),
  /** Pages that show why this network belongs to its kind. */
  evidence: z.array(z.url()).default([]),
  note: z.string().min(1),
  ranges: z.array(z.string()).min(1),
});

export type NetworkFile = z.infer<typeof networkFileSchema>;

/** What a caller learns about an address: which listed network it is in. */
export interface KnownNetwork {
  id: string;
  name: string;
  kind: NetworkKind;
}

/** A network data file does not have the expected shape or holds a range that is not CIDR. */
export class InvalidNetworkFileError extends Error {
  constructor(file: string, why: string) {
    super(`core/tracking/networks/${file}.json: ${why}`);
    this.name = 'InvalidNetworkFileError';
  }
}

/** The data files, in the order a lookup tries them (the first network that holds an address names it). */
export const NETWORK_FILES: readonly unknown[] = [apple, applePrivateRelay, microsoftExchangeOnline, proofpoint, mimecast, barracuda, googleMail];

/** Looks addresses up in a fixed set of networks. Build it once; every lookup is a few binary searches. */
export class KnownNetworks {
  private readonly networks: readonly (KnownNetwork & { ranges: IpRangeSet })[];

  constructor(files: readonly NetworkFile[]) {
    this.networks = files.map((file) => {
      try {
        return { id: file.id, name: file.name, kind: file.kind, ranges: new IpRangeSet(file.ranges) };
      } catch (error) {
        if (error instanceof InvalidCidrError) throw new InvalidNetworkFileError(file.id, error.message);
        throw error;
      }
    });
  }

  /** Parses and checks data files (as imported JSON); throws InvalidNetworkFileError naming the file. */
  static fromData(data: readonly unknown[]): KnownNetworks {
    return new KnownNetworks(data.map(parseNetworkFile));
  }

  /** The listed network the address is in, or undefined (also for a missing or malformed address). */
  networkOf(ip: string | undefined): KnownNetwork | undefined {
    if (ip === undefined) return undefined;
    const address = parseIp(ip);
    if (!address) return undefined;
    const network = this.networks.find((candidate) => candidate.ranges.has(address));
    return network && { id: network.id, name: network.name, kind: network.kind };
  }

  isKind(ip: string | undefined, kind: NetworkKind): boolean {
    return this.networkOf(ip)?.kind === kind;
  }
}

export function parseNetworkFile(data: unknown): NetworkFile {
  const id = typeof data === 'object' && data !== null && 'id' in data && typeof data.id === 'string' ? data.id : '(no id)';
  const parsed = networkFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidNetworkFileError(id, `${issue?.path.join('.') || '(file)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

let shipped: KnownNetworks | undefined;

/**
 * The networks shipped in this folder, built on first use (about 5,000 ranges, a few
 * milliseconds) rather than at import, so a Lambda that never classifies traffic pays nothing.
 * Immutable once built.
 */
export function shippedNetworks(): KnownNetworks {
  shipped ??= KnownNetworks.fromData(NETWORK_FILES);
  return shipped;
}
