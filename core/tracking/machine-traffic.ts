/**
 * Tells machine opens and clicks from people's. Machine traffic still counts (as `machine`), but
 * stays out of engagement scores and sequence branching.
 *
 * Opens: Apple Mail Privacy Protection fetches every image of every message through Apple's
 * proxies at delivery, opened or not. Those requests come from Apple's 17.0.0.0/8 network and
 * carry the bare user agent `Mozilla/5.0`; either sign marks an open as machine. Google's and
 * Yahoo's image proxies fetch when the person opens the message, so they count as people.
 * Clicks: link scanners (Proofpoint, Mimecast, Barracuda, Microsoft Defender's Safe Links /
 * BingPreview, ...) follow every link on delivery. A click is machine when the user agent names
 * a scanner, a bot or an HTTP library (or is missing), when it is a HEAD request, or when it
 * comes within seconds of the send: nobody reads an email and clicks that fast.
 */

export type MachineReason = 'apple-mpp' | 'scanner' | 'bot' | 'no-user-agent' | 'head-request' | 'too-fast';

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
];

// Crawlers, link unfurlers and HTTP libraries: no person behind the request.
const BOTS = [
  /bot\b|crawler|spider|slurp/i,
  /facebookexternalhit|WhatsApp|SkypeUriPreview/i,
  /^(?:curl|Wget|python-requests|Python-urllib|Go-http-client|Java|Apache-HttpClient|okhttp|libwww-perl|node-fetch|axios|undici|node|python-httpx|aiohttp|Bun|Deno|PostmanRuntime)\b/i,
];

export function classifyOpen(request: RequestFacts): TrafficVerdict {
  const agent = request.userAgent?.trim() ?? '';
  if (PEOPLE_PROXIES.some((pattern) => pattern.test(agent))) return { machine: false };
  if (agent === 'Mozilla/5.0' || isAppleNetwork(request.ip)) return { machine: true, reason: 'apple-mpp' };
  return agentVerdict(agent);
}

export function classifyClick(request: RequestFacts, timing: { at: Date; sentAt: Date | undefined; minHumanDelayMs?: number }): TrafficVerdict {
  if (request.method.toUpperCase() === 'HEAD') return { machine: true, reason: 'head-request' };
  const byAgent = agentVerdict(request.userAgent?.trim() ?? '');
  if (byAgent.machine) return byAgent;
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

/** 17.0.0.0/8 (Apple), also written as an IPv4-mapped IPv6 address. */
export function isAppleNetwork(ip: string | undefined): boolean {
  if (!ip) return false;
  const v4 = ip.trim().toLowerCase().replace(/^::ffff:/, '');
  const octets = v4.split('.');
  return octets.length === 4 && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255) && octets[0] === '17';
}
