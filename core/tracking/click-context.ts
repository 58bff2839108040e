/**
 * Click rules that need more than the request: what else this recipient did with the same email.
 * Pure: the caller passes the click, the recipient's earlier clicks (with the verdicts they got)
 * and opens of that email; nothing is read or stored here.
 *
 * Rules, strongest first (the first that applies names the reason):
 * - `honeypot`: the email's invisible link was clicked. No person sees it, so the click is a
 *   machine's, and so is the rest of that sweep: the earlier clicks chained to it a few seconds
 *   apart, and the earlier clicks from the same address and user agent. Those come back in
 *   `revise` for the caller to re-flag.
 * - the request rules of `machine-traffic.ts` (HEAD, scanner / bot / missing user agent, a mail-
 *   security network, too soon after the send), reused as they are.
 * - `burst`: two or more different links within about 2 s. A person reads, clicks, and comes
 *   back to the email; a scanner follows every link at once. The earlier clicks of the burst are
 *   returned in `revise` (also when this click is machine by its request alone).
 * - `after-machine`: a follow-up from the same address and user agent within minutes of a click
 *   already judged machine (not one judged only by weak signals, so one mistake cannot spread).
 * - `no-open-before`: no open of the email by a person before the click. Weak on its own:
 *   Apple Mail Privacy Protection turns a person's opens into machine opens, and Outlook and many
 *   corporate clients block images, so many people click without a recorded open. By default it
 *   marks a click only together with another weak signal: `early` (within a minute of the send,
 *   when sandboxes detonate links) or `many-links` (three or more different links within a
 *   minute). `rules.noOpenBefore` switches it to `alone` or `off`; the machine bench measures all
 *   three on the labelled set (`npm run bench -- machine`).
 */
import { classifyClick, MIN_HUMAN_CLICK_DELAY_MS, type MachineReason } from './machine-traffic.ts';
import { shippedNetworks, type KnownNetworks } from './networks/known-networks.ts';

/** The click being classified, as the tracking route sees it. */
export interface ClickFacts {
  at: Date;
  /** GET when absent. A HEAD is a prefetch. */
  method?: string;
  ip: string | undefined;
  userAgent: string | undefined;
  /** The link's position in the email's link set (the click token's `link`). */
  linkPosition: number;
  /** The link is the email's invisible trap link, which no person sees. */
  honeypot: boolean;
  /**
   * A stable pseudonym of the address and user agent (say an HMAC of both), for stores that should
   * not keep addresses: when both clicks have one, "same client" compares these instead.
   */
  clientKey?: string;
}

export type ContextReason = 'honeypot' | 'burst' | 'after-machine' | 'no-open-before';
export type ClickReason = MachineReason | ContextReason;

/** Signals too weak to mark a click by themselves. */
export type WeakSignal = 'no-open-before' | 'early' | 'many-links';

export type ClickVerdict =
  | { machine: false; weakSignals: readonly WeakSignal[] }
  | { machine: true; reason: ClickReason; weakSignals: readonly WeakSignal[] };

/** A verdict as stored with an earlier click (a ClickVerdict or machine-traffic's TrafficVerdict). */
export type EarlierVerdict = { machine: false } | { machine: true; reason: ClickReason };

/** A click this recipient made earlier on the same email, with the verdict it has now. */
export interface EarlierClick extends ClickFacts {
  verdict: EarlierVerdict;
}

/** An open of the same email by this recipient, with its verdict (`classifyOpen`). */
export interface SeenOpen {
  at: Date;
  machine: boolean;
}

export interface ClickContext<C extends EarlierClick = EarlierClick> {
  sentAt: Date | undefined;
  /** This recipient's earlier clicks on this email (later ones are ignored). */
  earlierClicks: readonly C[];
  /** This recipient's opens of this email (later ones are ignored). */
  opens: readonly SeenOpen[];
}

export interface ClickContextRules {
  /** `burst`: this many different links ... */
  burstMinLinks: number;
  /** ... within this window. */
  burstWindowMs: number;
  /** `honeypot`: earlier clicks chained to the trap click with gaps up to this are its sweep. */
  honeypotChainGapMs: number;
  /** `honeypot`: earlier clicks from the same address and user agent this far back are its sweep too. */
  honeypotLookbackMs: number;
  /** `after-machine`: a same-client follow-up this soon after a machine click is machine. */
  afterMachineWindowMs: number;
  /** Weak signal `early`: a click this soon after the send. */
  earlyClickMs: number;
  /** Weak signal `many-links`: this many different links ... */
  manyLinksMin: number;
  /** ... within this window. */
  manyLinksWindowMs: number;
  /** `combined`: no open before marks machine only with `early` or `many-links`; `alone`: by itself; `off`: never. */
  noOpenBefore: 'combined' | 'alone' | 'off';
  /** Passed to `classifyClick` (default MIN_HUMAN_CLICK_DELAY_MS). */
  minHumanDelayMs: number;
}

export const DEFAULT_CLICK_CONTEXT_RULES: Readonly<ClickContextRules> = {
  burstMinLinks: 2,
  burstWindowMs: 2_000,
  honeypotChainGapMs: 5_000,
  honeypotLookbackMs: 5 * 60_000,
  afterMachineWindowMs: 10 * 60_000,
  earlyClickMs: 60_000,
  manyLinksMin: 3,
  manyLinksWindowMs: 60_000,
  noOpenBefore: 'combined',
  minHumanDelayMs: MIN_HUMAN_CLICK_DELAY_MS,
};

export interface ContextualClickVerdict<C extends EarlierClick = EarlierClick> {
  verdict: ClickVerdict;
  /** Earlier clicks (judged human so far) this click shows to be machine: re-flag them with `reason`. */
  revise: readonly { click: C; reason: 'honeypot' | 'burst' }[];
}

/** Classifies one click given what this recipient did before with the same email. */
export function classifyClickInContext<C extends EarlierClick>(
  click: ClickFacts,
  context: ClickContext<C>,
  rules: Partial<ClickContextRules> = {},
  networks: KnownNetworks = shippedNetworks(),
): ContextualClickVerdict<C> {
  const settings = { ...DEFAULT_CLICK_CONTEXT_RULES, ...rules };
  const at = click.at.getTime();
  const earlier = context.earlierClicks.filter((other) => other.at.getTime() <= at);
  const weakSignals = weakSignalsOf(click, earlier, context, settings);
  const machine = (reason: ClickReason, revise: ContextualClickVerdict<C>['revise'] = []): ContextualClickVerdict<C> => ({
    verdict: { machine: true, reason, weakSignals },
    revise,
  });

  if (click.honeypot) {
    return machine('honeypot', honeypotSweep(click, earlier, settings).map((other) => ({ click: other, reason: 'honeypot' as const })));
  }

  // A burst re-flags its earlier clicks even when this one is already machine by its request.
  const inBurst = earlier.filter((other) => at - other.at.getTime() <= settings.burstWindowMs);
  const isBurst = distinctLinks([click, ...inBurst]) >= settings.burstMinLinks;
  const burstRevisions = isBurst ? inBurst.filter((other) => !other.verdict.machine).map((other) => ({ click: other, reason: 'burst' as const })) : [];

  const byRequest = classifyClick(
    { method: click.method ?? 'GET', userAgent: click.userAgent, ip: click.ip },
    { at: click.at, sentAt: context.sentAt, minHumanDelayMs: settings.minHumanDelayMs },
    networks,
  );
  if (byRequest.machine) return machine(byRequest.reason, burstRevisions);
  if (isBurst) return machine('burst', burstRevisions);

  const followsMachine = earlier.some(
    (other) =>
      other.verdict.machine &&
      other.verdict.reason !== 'no-open-before' &&
      at - other.at.getTime() <= settings.afterMachineWindowMs &&
      sameClient(click, other),
  );
  if (followsMachine) return machine('after-machine');

  if (weakSignals.includes('no-open-before')) {
    const alsoWeak = weakSignals.some((signal) => signal !== 'no-open-before');
    if (settings.noOpenBefore === 'alone' || (settings.noOpenBefore === 'combined' && alsoWeak)) return machine('no-open-before');
  }
  return { verdict: { machine: false, weakSignals }, revise: [] };
}

/** A recipient's clicks and opens of one email, in any order. */
export interface RecipientActivity {
  sentAt: Date | undefined;
  opens: readonly SeenOpen[];
  clicks: readonly ClickFacts[];
}

export interface RecipientClickVerdicts {
  /** Each click's verdict when it happened, in the order of `activity.clicks`. */
  atClickTime: ClickVerdict[];
  /** The same after later clicks revised earlier ones (honeypot and burst sweeps). */
  final: ClickVerdict[];
}

/**
 * Replays a recipient's clicks in time order through `classifyClickInContext`, applying each
 * revision to the earlier clicks, as the live path would when it re-flags them. For re-scoring
 * stored clicks in a batch, and for measuring the rules.
 */
export function classifyRecipientClicks(activity: RecipientActivity, rules: Partial<ClickContextRules> = {}, networks: KnownNetworks = shippedNetworks()): RecipientClickVerdicts {
  const order = activity.clicks.map((_, index) => index).sort((a, b) => (activity.clicks[a] as ClickFacts).at.getTime() - (activity.clicks[b] as ClickFacts).at.getTime() || a - b);
  const atClickTime: ClickVerdict[] = Array.from({ length: activity.clicks.length });
  const final: ClickVerdict[] = Array.from({ length: activity.clicks.length });
  const seen: (EarlierClick & { index: number })[] = [];
  for (const index of order) {
    const click = activity.clicks[index] as ClickFacts;
    const { verdict, revise } = classifyClickInContext(click, { sentAt: activity.sentAt, earlierClicks: seen, opens: activity.opens }, rules, networks);
    atClickTime[index] = verdict;
    final[index] = verdict;
    for (const { click: revised, reason } of revise) {
      final[revised.index] = { machine: true, reason, weakSignals: (final[revised.index] as ClickVerdict).weakSignals };
      revised.verdict = { machine: true, reason };
    }
    seen.push({ ...click, verdict: verdict.machine ? { machine: true, reason: verdict.reason } : { machine: false }, index });
  }
  return { atClickTime, final };
}

function weakSignalsOf(click: ClickFacts, earlier: readonly EarlierClick[], context: ClickContext, rules: ClickContextRules): WeakSignal[] {
  const at = click.at.getTime();
  const signals: WeakSignal[] = [];
  if (!context.opens.some((open) => !open.machine && open.at.getTime() <= at)) signals.push('no-open-before');
  if (context.sentAt && at - context.sentAt.getTime() < rules.earlyClickMs) signals.push('early');
  const recent = earlier.filter((other) => !other.honeypot && at - other.at.getTime() <= rules.manyLinksWindowMs);
  if (distinctLinks([click, ...recent]) >= rules.manyLinksMin) signals.push('many-links');
  return signals;
}

/** The earlier clicks (judged human so far) that belong to the honeypot click's sweep. */
function honeypotSweep<C extends EarlierClick>(trap: ClickFacts, earlier: readonly C[], rules: ClickContextRules): C[] {
  const sweep = new Set<C>();
  // Walk back from the trap click while the gaps stay short, whoever the client.
  let chainStart = trap.at.getTime();
  for (const other of [...earlier].sort((a, b) => b.at.getTime() - a.at.getTime())) {
    if (chainStart - other.at.getTime() > rules.honeypotChainGapMs) break;
    sweep.add(other);
    chainStart = other.at.getTime();
  }
  for (const other of earlier) {
    if (trap.at.getTime() - other.at.getTime() <= rules.honeypotLookbackMs && sameClient(trap, other)) sweep.add(other);
  }
  return [...sweep].filter((other) => !other.verdict.machine).sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Same known address and same user agent: the same program, as far as a request can tell. */
function sameClient(a: ClickFacts, b: ClickFacts): boolean {
  if (a.clientKey !== undefined && b.clientKey !== undefined) return a.clientKey === b.clientKey;
  const ip = a.ip?.trim().toLowerCase();
  return ip !== undefined && ip !== '' && ip === b.ip?.trim().toLowerCase() && (a.userAgent?.trim() ?? '') === (b.userAgent?.trim() ?? '');
}

function distinctLinks(clicks: readonly ClickFacts[]): number {
  return new Set(clicks.filter((click) => !click.honeypot).map((click) => click.linkPosition)).size;
}
