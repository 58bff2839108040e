/**
 * Tells machine opens and clicks from people's. Machine traffic still counts (as `machine`), but
 * stays out of engagement scores and sequence branching.
 *
 * Opens: Apple Mail Privacy Protection fetches every image of every message through Apple's
 * proxies at delivery, opened or not. Those requests come from Apple's networks or the iCloud
 * Private Relay egress (`networks/apple*.json`) and carry the bare user agent `Mozilla/5.0`;
 * either sign marks an open as machine. Google's and Yahoo's image proxies fetch when the person
 * opens the message, so they count as people.
 * Clicks: link scanners (Proofpoint, Mimecast, Barracuda, Microsoft Defender's Safe Links /
 * BingPreview, ...) follow every link on delivery. A click is machine when the user agent names
 * a scanner, a bot or an HTTP library (or is missing, or is one that never clicks for a person),
 * when it is a HEAD request, when it comes
 * from a mail-security network (`networks/*.json` of kind `mail-security-scanner`), or when it
 * comes within seconds of the send: nobody reads an email and clicks that fast. A click from
 * Apple's networks or Private Relay is a person (Safari with Private Relay).
 * These rules look at one request. `click-context.ts` adds the rules that need the recipient's
 * other clicks and opens of the same email (honeypot link, bursts, follow-ups).
 */
import { shippedNetworks, type KnownNetworks } from './networks/known-networks.ts';

/** `scanner-network`: the click came from a mail-security scanner's network (see `networks/`). */
export type MachineReason = 'apple-mpp' | 'scanner' | 'scanner-network' | 'bot' | 'no-user-agent' | 'head-request' | 'too-fast';

export type TrafficVerdict = { machine: false } | { machine: true; reason: MachineReason };

export interface RequestFacts {
  method: string;
  userAgent: string | undefined;
  /** The client address as the edge saw it, when known. */
  ip: string | undefined;
}

/** Default for `minHumanDelayMs`: a click sooner than this after the send is a scanner's. */
export const MIN_HUMAN_CLICK_DELAY_MS = 10_000;

// Image proxies that fetch when a person opens the message.
const PEOPLE_PROXIES = [/GoogleImageProxy/i, /ggpht\.com/i, /YahooMailProxy/i];

// Mail security gateways and link checkers, by what their user agents are known to contain.
const SCANNERS = [
  /BingPreview/i,
  /SafeLinks/i,
  /Microsoft Office (?:Existence|Protocol) Discovery/i,
  /Proofpoint/i,
  /\bppops\b/i,
  /Mimecast/i,
  /Barracuda/i,
  /Symantec|MessageLabs/i,
  /Trend ?Micro/i,
  /IronPort/i,
  /FireEye|Trellix/i,
  /Forcepoint/i,
  /Sophos/i,
  /Forti(?:Guard|Mail|net)/i,
  /SpamTitan/i,
  /Hornetsecurity/i,
  // Named in public crawler lists (github.com/monperrus/crawler-user-agents) as link checkers of
  // Microsoft's and Google's mail and of security services.
  /MicrosoftPreview/i,
  /Google-Safety/i,
  /virustotal/i,
  /URLScan|CloudflareRadar/i,
  /Cisco ?Secure ?Email/i,
];

// Crawlers, link unfurlers and HTTP libraries: no person behind the request.
const BOTS = [
  /bot\b|crawler|spider|slurp/i,
  /facebookexternalhit|WhatsApp|SkypeUriPreview/i,
  // Link previews, link checkers and browsers driven by programs.
  /link ?preview|url ?preview|LinkExpanding|Slack-ImgProxy|checklink|link ?check|check_http/i,
  /HeadlessChrome|PhantomJS|Google Web Preview|Google-PageRenderer/i,
  /^(?:curl|Wget|python-requests|Python-urllib|Go-http-client|Java|Apache-HttpClient|okhttp|libwww-perl|node-fetch|axios|undici|node|python-httpx|aiohttp|Bun|Deno|PostmanRuntime|PHP|Ruby|Scrapy|Dart|reqwest)\b/i,
];

// Agents that may load images for a person but never click for one: Apple MPP's bare
// `Mozilla/5.0`; Office's own link prefetch (`ms-office`), which fetches a link before handing it
// to the browser; and programs that announce themselves with a contact URL
// ("+https://example.com/bot") or as monitors and fetchers (image proxies such as Yahoo's also
// give a URL, which is why this is for clicks only). No browser's agent has any of these.
const MACHINE_WHEN_CLICKING = [/^Mozilla\/5\.0$/, /\bms-office\b|\bMSOffice\b/i, /https?:\/\/|\b(?:monitor(?:ing)?|uptime|checker|fetcher|synthetics?)\b/i];

/** `networks` defaults to the lists shipped in `networks/`; tests pass their own. */
export function classifyOpen(request: RequestFacts, networks: KnownNetworks = shippedNetworks()): TrafficVerdict {
  const agent = request.userAgent?.trim() ?? '';
  if (PEOPLE_PROXIES.some((pattern) => pattern.test(agent))) return { machine: false };
  if (agent === 'Mozilla/5.0' || networks.isKind(request.ip, 'apple-mail-privacy-proxy')) return { machine: true, reason: 'apple-mpp' };
  return agentVerdict(agent);
}

export interface ClickTiming {
  at: Date;
  sentAt: Date | undefined;
  minHumanDelayMs?: number;
}

/** `networks` defaults to the lists shipped in `networks/`; tests pass their own. */
export function classifyClick(request: RequestFacts, timing: ClickTiming, networks: KnownNetworks = shippedNetworks()): TrafficVerdict {
  if (request.method.toUpperCase() === 'HEAD') return { machine: true, reason: 'head-request' };
  const agent = request.userAgent?.trim() ?? '';
  const byAgent = agentVerdict(agent);
  if (byAgent.machine) return byAgent;
  if (MACHINE_WHEN_CLICKING.some((pattern) => pattern.test(agent))) return { machine: true, reason: 'bot' };
  if (networks.isKind(request.ip, 'mail-security-scanner')) return { machine: true, reason: 'scanner-network' };
  const minDelay = timing.minHumanDelayMs ?? MIN_HUMAN_CLICK_DELAY_MS;
  if (timing.sentAt && timing.at.getTime() - timing.sentAt.getTime() < minDelay) return { machine: true, reason: 'too-fast' };
  return { machine: false };
}

function agentVerdict(agent: string): TrafficVerdict {
  if (agent === '') return { machine: true, reason: 'no-user-agent' };
  if (SCANNERS.some((pattern) => pattern.test(agent))) return { machine: true, reason: 'scanner' };
  // "CUBOT" is a phone maker, not a bot.
  if (BOTS.some((pattern) => pattern.test(agent.replace(/cubot/gi, '')))) return { machine: true, reason: 'bot' };
  return { machine: false };
}

/** Apple's own networks (17.0.0.0/8, also IPv4-mapped, and Apple's IPv6 blocks: `networks/apple.json`). */
export function isAppleNetwork(ip: string | undefined, networks: KnownNetworks = shippedNetworks()): boolean {
  return networks.networkOf(ip)?.id === 'apple';
}
