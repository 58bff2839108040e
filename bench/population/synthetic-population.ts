/**
 * A synthetic customer base to measure whether the scoring and CSQL defaults find real expansion
 * intent: N accounts in three tiers, each with a hidden label `intent` (a latent expansion intent)
 * that drives its people's behaviour noisily, plus the confounders that fool naive scoring:
 * Apple Mail Privacy Protection opens, link-scanning mail gateways (ordinary browser agents, some
 * waiting minutes, some also fetching images), newsletter fans who never buy, intent that ended
 * months ago, accounts busy with an onboarding project, and big accounts noisy by size alone.
 *
 * It lives in bench/, not core/: it is a measuring instrument, not something the engine does, and
 * it must not be tuned alongside the engine's code. It produces what the engine would receive
 * (per-recipient emails with the raw open and click requests, webinar registrations and
 * attendance, usage figures), never verdicts: `engine-events.ts` runs the engine's own classifier
 * and scoring over it. Who really made each request is kept (`by`) only to report how the
 * classifier did. Deterministic: one seed, one population (seeded-random.ts, no Math.random).
 */
import type { Account } from '../../core/customers/account.ts';
import type { Tier } from '../../core/config/schema/common.ts';
import type { ClickFacts } from '../../core/tracking/click-context.ts';
import { appleProxyAddress, APPLE_MPP_AGENT, BROWSER_AGENTS, OPENING_AGENTS, privateRelayAddress, scannerNetworkAddress, SCANNER_NETWORK_RANGES, unlistedPublicAddress } from './request-facts.ts';
import { SeededRandom } from './seeded-random.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const ADD_ONS = ['analytics', 'automation', 'integrations'] as const;

export interface PopulationSettings {
  seed: number;
  accounts: number;
  /** The end of the history: nothing happens after it. */
  now: Date;
  /** Days of history before `now`. */
  days: number;
  /** Share of accounts with a latent expansion intent (exact: round(accounts x share)). */
  intentShare: number;
  /** Share of accounts whose intent ended months ago (exact, among those without intent now). */
  pastIntentShare: number;
  /** Chance that an account without intent has one newsletter fan (opens and clicks everything, never buys). */
  fanAccountShare: number;
  /** Chance that an account without intent runs a busy onboarding project (many people active for weeks). */
  busyAccountShare: number;
  /** Chance that a contact reads mail with Apple Mail Privacy Protection. */
  appleMppShare: number;
  /** Chance that a contact's mail client blocks images (opens are never seen, clicks are). */
  blockedImagesShare: number;
  /** Chance per tier that the account's mail passes a link-scanning security gateway. */
  scannedAccountShare: Readonly<Record<Tier, number>>;
  /** Chance that a gateway also fetches the images (its opens look like a person's). */
  imageFetchingGatewayShare: number;
}

export const DEFAULT_POPULATION_SETTINGS: Readonly<Omit<PopulationSettings, 'seed'>> = {
  accounts: 400,
  now: new Date('2026-12-02T00:00:00Z'),
  days: 180,
  intentShare: 0.1,
  pastIntentShare: 0.08,
  fanAccountShare: 0.15,
  busyAccountShare: 0.1,
  appleMppShare: 0.4,
  blockedImagesShare: 0.2,
  scannedAccountShare: { tier1: 0.6, tier2: 0.35, tier3: 0.2 },
  imageFetchingGatewayShare: 0.2,
};

/** A link-scanning gateway in front of an account's mailboxes. */
export interface MailGateway {
  /** A vendor whose networks the engine lists, or `unlisted` (a cloud address nobody publishes). */
  network: 'proofpoint' | 'mimecast' | 'barracuda' | 'microsoft' | 'unlisted';
  /** Seconds after delivery before it follows the links (sandboxes detonate at once; others queue for minutes). */
  delay: 'instant' | 'minutes';
  /** `burst`: links a fraction of a second apart; `paced`: seconds apart. */
  pacing: 'burst' | 'paced';
  /** It follows the invisible trap link too. */
  followsHoneypot: boolean;
  /** It also loads the images: its opens carry a browser agent from a non-Apple address. */
  fetchesImages: boolean;
  addresses: string[];
  userAgent: string;
}

/** A period of heightened interest by some of the account's people. */
export interface InterestSpell {
  from: number;
  to: number;
  /** 0-1: how strongly it shows (weak intent looks quiet). */
  strength: number;
  contactIds: string[];
  /** The product it is about (an add-on the account does not own), if any. */
  product: string | undefined;
}

export interface SyntheticContact {
  contactId: string;
  appleMpp: boolean;
  blockedImages: boolean;
  fan: boolean;
  /** Chance of reading an email, before any spell. */
  readChance: number;
  /** Chance of clicking an email read, before any spell. */
  clickChance: number;
  /** Chance of registering for a webinar, before any spell. */
  webinarChance: number;
  /** Uses the product (reports personal usage figures). */
  productUser: boolean;
  address: string;
  browser: string;
  mailClient: string;
}

export interface SyntheticAccount {
  account: Account;
  /** The hidden label: a current, latent expansion intent. */
  intent: boolean;
  /** Intent that ended months ago (a confounder). */
  pastIntent: boolean;
  busy: boolean;
  contacts: SyntheticContact[];
  gateway: MailGateway | undefined;
  /** The spell of current intent, past intent or an onboarding project (at most one). */
  spell: InterestSpell | undefined;
}

export interface CampaignEmail {
  campaignId: string;
  kind: 'newsletter' | 'product-news' | 'webinar-invitation';
  sentAt: number;
  /** Visible links; the email also carries one invisible trap link after them. */
  links: number;
  product: string | undefined;
}

export interface SyntheticWebinar {
  webinarId: string;
  product: string;
  startsAt: number;
  minutes: number;
  invitation: CampaignEmail;
}

export type RequestMaker = 'person' | 'apple-mpp' | 'scanner';

export interface SyntheticOpen {
  at: number;
  ip: string;
  userAgent: string;
  by: RequestMaker;
}

export interface SyntheticClick extends ClickFacts {
  by: RequestMaker;
}

/** One email to one contact and every request it drew. */
export interface RecipientEmail {
  campaignId: string;
  contactId: string;
  accountId: string;
  sentAt: number;
  deliveredAt: number;
  opens: SyntheticOpen[];
  clicks: SyntheticClick[];
}

export interface WebinarActivity {
  webinarId: string;
  contactId: string;
  accountId: string;
  registeredAt: number;
  /** Absent for a no-show. */
  attended: { watchMinutes: number; watchShare: number } | undefined;
  endsAt: number;
}

export interface SyntheticUsage {
  accountId: string;
  at: number;
  metrics: Record<string, number>;
  /** Present when the figures are one person's (they score as that contact's product usage). */
  contactId: string | undefined;
}

export interface Population {
  settings: PopulationSettings;
  accounts: SyntheticAccount[];
  campaigns: CampaignEmail[];
  webinars: SyntheticWebinar[];
  emails: RecipientEmail[];
  webinarActivity: WebinarActivity[];
  usage: SyntheticUsage[];
}

export function generatePopulation(overrides: Partial<PopulationSettings> & { seed: number }): Population {
  const settings: PopulationSettings = { ...DEFAULT_POPULATION_SETTINGS, ...overrides };
  const start = settings.now.getTime() - settings.days * DAY;
  const { campaigns, webinars } = calendarOf(start, settings.now.getTime());
  const picks = new SeededRandom(settings.seed, 0);
  const indexes = picks.shuffled(Array.from({ length: settings.accounts }, (_, index) => index));
  const intentCount = Math.round(settings.accounts * settings.intentShare);
  const pastCount = Math.round(settings.accounts * settings.pastIntentShare);
  const intentAccounts = new Set(indexes.slice(0, intentCount));
  const pastAccounts = new Set(indexes.slice(intentCount, intentCount + pastCount));

  const population: Population = { settings, accounts: [], campaigns, webinars, emails: [], webinarActivity: [], usage: [] };
  for (let index = 0; index < settings.accounts; index++) {
    const random = new SeededRandom(settings.seed, index + 1);
    const synthetic = accountOf(index, random, settings, start, intentAccounts.has(index), pastAccounts.has(index));
    population.accounts.push(synthetic);
    for (const email of campaigns) {
      for (const contact of synthetic.contacts) population.emails.push(emailActivity(email, contact, synthetic, random, settings));
    }
    for (const webinar of webinars) {
      for (const contact of synthetic.contacts) {
        const activity = webinarActivityOf(webinar, contact, synthetic, random, settings);
        if (activity) population.webinarActivity.push(activity);
      }
    }
    population.usage.push(...usageOf(synthetic, random, settings, start));
  }
  return population;
}

/** Every two weeks a newsletter, every month product news, every month a webinar (invited 10 days before). */
function calendarOf(start: number, end: number): { campaigns: CampaignEmail[]; webinars: SyntheticWebinar[] } {
  const campaigns: CampaignEmail[] = [];
  const webinars: SyntheticWebinar[] = [];
  // Mornings, Tokyo time (00:00-01:00 UTC).
  for (let at = start + 3 * DAY, n = 1; at < end; at += 14 * DAY, n++) campaigns.push({ campaignId: `newsletter-${n}`, kind: 'newsletter', sentAt: at, links: 5, product: undefined });
  const webinarProducts = ['analytics', 'automation', 'integrations', 'core'] as const;
  for (let at = start + 10 * DAY, n = 1; at < end; at += 30 * DAY, n++) {
    const product = ADD_ONS[(n - 1) % ADD_ONS.length] as string;
    campaigns.push({ campaignId: `product-news-${n}`, kind: 'product-news', sentAt: at, links: 3, product });
  }
  for (let startsAt = start + 25 * DAY, n = 1; startsAt < end; startsAt += 30 * DAY, n++) {
    const product = webinarProducts[(n - 1) % webinarProducts.length] as string;
    const invitation: CampaignEmail = { campaignId: `invite-webinar-${n}`, kind: 'webinar-invitation', sentAt: startsAt - 10 * DAY, links: 2, product };
    campaigns.push(invitation);
    webinars.push({ webinarId: `webinar-${n}`, product, startsAt: startsAt + 5 * 3_600_000, minutes: 60, invitation });
  }
  campaigns.sort((a, b) => a.sentAt - b.sentAt);
  return { campaigns, webinars };
}

function tierOf(random: SeededRandom): Tier {
  const draw = random.next();
  return draw < 0.12 ? 'tier1' : draw < 0.42 ? 'tier2' : 'tier3';
}

function accountOf(index: number, random: SeededRandom, settings: PopulationSettings, start: number, intent: boolean, pastIntent: boolean): SyntheticAccount {
  const tier = tierOf(random);
  const accountId = `acct-${String(index + 1).padStart(4, '0')}`;
  const size = tier === 'tier1' ? random.int(20, 80) : tier === 'tier2' ? random.int(5, 20) : random.int(2, 10);
  const products = ['core', ...ADD_ONS.filter(() => random.chance(tier === 'tier1' ? 0.45 : 0.25))];
  const egress = unlistedPublicAddress(random);
  // People in big organisations each read less of a vendor's mail.
  const readMedian = tier === 'tier1' ? 0.08 : tier === 'tier2' ? 0.14 : 0.18;
  const contacts: SyntheticContact[] = Array.from({ length: size }, (_, n) => {
    const appleMpp = random.chance(settings.appleMppShare);
    return {
      contactId: `${accountId}-c${String(n + 1).padStart(2, '0')}`,
      appleMpp,
      blockedImages: !appleMpp && random.chance(settings.blockedImagesShare),
      fan: false,
      readChance: Math.min(0.7, random.logNormal(readMedian, 0.8)),
      clickChance: Math.min(0.6, random.logNormal(0.12, 0.6)),
      webinarChance: Math.min(0.4, random.logNormal(0.03, 0.8)),
      productUser: random.chance(0.35),
      address: random.chance(0.7) ? egress : unlistedPublicAddress(random),
      browser: random.pick(BROWSER_AGENTS),
      mailClient: random.pick(OPENING_AGENTS),
    };
  });
  const notOwned = ADD_ONS.filter((product) => !products.includes(product));
  const end = settings.now.getTime();
  const committee = (max: number) => random.shuffled(contacts).slice(0, random.int(1, Math.min(max, contacts.length))).map((contact) => contact.contactId);
  let spell: InterestSpell | undefined;
  let busy = false;
  if (intent) {
    // Started 10 to 75 days ago; weak ones barely show.
    spell = { from: end - random.between(10, 75) * DAY, to: end, strength: random.between(0.15, 1), contactIds: committee(5), product: notOwned.length > 0 ? random.pick(notOwned) : undefined };
  } else if (pastIntent) {
    const from = start + random.between(0, 40) * DAY;
    spell = { from, to: from + random.between(30, 60) * DAY, strength: random.between(0.5, 1), contactIds: committee(5), product: notOwned.length > 0 ? random.pick(notOwned) : undefined };
    // Half of them bought what they were looking at.
    if (spell.product && random.chance(0.5)) products.push(spell.product);
  } else if (random.chance(settings.busyAccountShare)) {
    busy = true;
    const from = start + random.between(0, settings.days - 20) * DAY;
    spell = { from, to: Math.min(end, from + random.between(20, 60) * DAY), strength: random.between(0.3, 0.9), contactIds: committee(8), product: undefined };
  }
  if (!intent && random.chance(settings.fanAccountShare)) {
    const candidates = contacts.filter((contact) => !spell?.contactIds.includes(contact.contactId));
    if (candidates.length > 0) random.pick(candidates).fan = true;
  }
  let gateway: MailGateway | undefined;
  if (random.chance(settings.scannedAccountShare[tier])) {
    const network = random.pick(['proofpoint', 'mimecast', 'barracuda', 'microsoft', 'unlisted', 'unlisted'] as const);
    const addresses = Array.from({ length: random.int(1, 3) }, () => (network === 'unlisted' ? unlistedPublicAddress(random) : scannerNetworkAddress(network, random)));
    gateway = {
      network,
      delay: random.chance(0.25) ? 'instant' : 'minutes',
      pacing: random.chance(0.5) ? 'burst' : 'paced',
      followsHoneypot: random.chance(0.5),
      fetchesImages: random.chance(settings.imageFetchingGatewayShare),
      addresses,
      userAgent: random.pick(BROWSER_AGENTS),
    };
  }
  const account: Account = {
    accountId,
    name: `Synthetic ${index + 1}`,
    tier,
    plan: tier === 'tier1' ? 'enterprise' : random.pick(['professional', 'standard', 'starter']),
    products,
    phase: random.pick(['adoption', 'nurturing', 'nurturing', 'opportunity'] as const),
    mrr: tier === 'tier1' ? 2_000_000 : tier === 'tier2' ? 400_000 : 60_000,
    currency: 'JPY',
  };
  return { account, intent, pastIntent, busy, contacts, gateway, spell };
}

/** How much more a contact does at `at` because of the account's spell (1 outside it). */
function liftOf(synthetic: SyntheticAccount, contact: SyntheticContact, at: number): number {
  const spell = synthetic.spell;
  if (!spell || at < spell.from || at > spell.to || !spell.contactIds.includes(contact.contactId)) return 1;
  return 1 + 4 * spell.strength;
}

function emailActivity(email: CampaignEmail, contact: SyntheticContact, synthetic: SyntheticAccount, random: SeededRandom, settings: PopulationSettings): RecipientEmail {
  const end = settings.now.getTime();
  const sentAt = email.sentAt + random.between(0, 30) * MINUTE;
  const deliveredAt = sentAt + random.between(2, 30) * 1000;
  const opens: SyntheticOpen[] = [];
  const clicks: SyntheticClick[] = [];
  const add = (list: SyntheticOpen[], item: SyntheticOpen) => {
    if (item.at <= end) list.push(item);
  };
  const addClick = (at: number, click: Omit<SyntheticClick, 'at'>) => {
    if (at <= end) clicks.push({ ...click, at: new Date(at) });
  };

  if (contact.appleMpp) {
    // Mail Privacy Protection loads the images at delivery, read or not; most say only Mozilla/5.0.
    add(opens, { at: deliveredAt + random.between(5, 900) * 1000, ip: appleProxyAddress(random), userAgent: random.chance(0.8) ? APPLE_MPP_AGENT : (OPENING_AGENTS[3] as string), by: 'apple-mpp' });
  }
  const gateway = synthetic.gateway;
  if (gateway && random.chance(0.9)) {
    const address = random.pick(gateway.addresses);
    let at = deliveredAt + (gateway.delay === 'instant' ? random.between(1, 8) : random.between(60, 900)) * 1000;
    if (gateway.fetchesImages) add(opens, { at, ip: address, userAgent: gateway.userAgent, by: 'scanner' });
    const positions = random.shuffled(Array.from({ length: email.links + (gateway.followsHoneypot ? 1 : 0) }, (_, position) => position));
    for (const position of positions) {
      at += (gateway.pacing === 'burst' ? random.between(0.2, 1.5) : random.between(3, 15)) * 1000;
      addClick(at, { ip: address, userAgent: gateway.userAgent, linkPosition: position, honeypot: position === email.links, by: 'scanner' });
    }
  }

  const lift = liftOf(synthetic, contact, sentAt);
  const aboutTheirInterest = email.product !== undefined && synthetic.spell?.product === email.product && lift > 1;
  const readChance = contact.fan && email.kind === 'newsletter' ? 0.95 : Math.min(0.95, contact.readChance * lift * (aboutTheirInterest ? 1.5 : 1));
  if (random.chance(readChance)) {
    const readAt = deliveredAt + random.exponential(6 * 3_600_000);
    // Apple MPP hides the real open (served from its cache); blocked images hide it too.
    if (!contact.appleMpp && !contact.blockedImages) add(opens, { at: readAt, ip: contact.address, userAgent: contact.mailClient, by: 'person' });
    const clickChance = contact.fan && email.kind === 'newsletter' ? 0.9 : Math.min(0.9, contact.clickChance * lift * (aboutTheirInterest ? 2 : 1));
    if (random.chance(clickChance)) {
      const count = contact.fan && email.kind === 'newsletter' ? random.int(2, Math.min(4, email.links)) : random.int(1, Math.min(2, email.links));
      const positions = random.shuffled(Array.from({ length: email.links }, (_, position) => position)).slice(0, count);
      let at = readAt + random.between(10, 300) * 1000;
      const ip = contact.appleMpp && random.chance(0.5) ? privateRelayAddress(random) : contact.address;
      for (const position of positions) {
        addClick(at, { ip, userAgent: contact.browser, linkPosition: position, honeypot: false, by: 'person' });
        // People read the page and come back to the email before the next link.
        at += random.between(20, 240) * 1000;
      }
    }
  }
  return { campaignId: email.campaignId, contactId: contact.contactId, accountId: synthetic.account.accountId, sentAt, deliveredAt, opens, clicks };
}

function webinarActivityOf(webinar: SyntheticWebinar, contact: SyntheticContact, synthetic: SyntheticAccount, random: SeededRandom, settings: PopulationSettings): WebinarActivity | undefined {
  const invitedAt = webinar.invitation.sentAt;
  const lift = liftOf(synthetic, contact, invitedAt);
  const owned = synthetic.account.products.includes(webinar.product);
  let chance = contact.webinarChance;
  if (contact.fan) chance = 0.3;
  if (lift > 1) {
    const strength = (lift - 1) / 4;
    // An intent spell is about a product; an onboarding project about what the account owns.
    if (synthetic.spell?.product === webinar.product) chance = Math.max(chance, 0.2 + 0.5 * strength);
    else if (synthetic.busy && owned) chance = Math.max(chance, 0.25);
    else chance *= lift;
  }
  if (!random.chance(Math.min(0.9, chance))) return undefined;
  const registeredAt = invitedAt + random.between(0.1, 9) * DAY;
  const endsAt = webinar.startsAt + webinar.minutes * MINUTE;
  if (registeredAt > settings.now.getTime()) return undefined;
  const attends = endsAt <= settings.now.getTime() && random.chance(lift > 1 ? 0.75 : 0.55);
  const watchShare = Math.round(random.between(0.15, 1) * 100) / 100;
  return {
    webinarId: webinar.webinarId,
    contactId: contact.contactId,
    accountId: synthetic.account.accountId,
    registeredAt,
    attended: attends ? { watchShare, watchMinutes: Math.round(watchShare * webinar.minutes) } : undefined,
    endsAt,
  };
}

/**
 * Account figures monthly (seats, utilisation, adoption, value) and people's own usage figures.
 * Intent shows as seats filling up and more active users; past intent left its figures where they
 * rose to. Personal figures come from every product user, so big accounts report many.
 */
function usageOf(synthetic: SyntheticAccount, random: SeededRandom, settings: PopulationSettings, start: number): SyntheticUsage[] {
  const { account, spell } = synthetic;
  const end = settings.now.getTime();
  const seatsBought = account.tier === 'tier1' ? random.int(100, 1000) : account.tier === 'tier2' ? random.int(20, 100) : random.int(3, 20);
  const baseUse = random.between(0.45, 0.9);
  const baseActive = random.between(0.4, 0.85);
  const integrations = random.int(0, 5);
  const features = random.between(10, 90);
  const value = random.between(0.2, 1.2);
  const records: SyntheticUsage[] = [];
  const rise = (at: number) => {
    if (!spell || synthetic.busy || at < spell.from) return 0;
    const progress = (Math.min(at, spell.to) - spell.from) / Math.max(DAY, spell.to - spell.from);
    return spell.strength * Math.min(1, progress) * random.between(0.6, 1);
  };
  for (let at = start + 30 * DAY; at <= end; at += 30 * DAY) {
    const lift = rise(at);
    const noise = () => random.between(0.9, 1.1);
    const seatsUsed = Math.min(seatsBought, Math.round(seatsBought * Math.min(1, (baseUse + 0.25 * lift) * noise())));
    const activeUsers = Math.min(seatsUsed, Math.round(seatsUsed * Math.min(1, (baseActive + 0.2 * lift) * noise())));
    records.push({
      accountId: account.accountId,
      at,
      contactId: undefined,
      metrics: {
        seats_bought: seatsBought,
        seats_used: seatsUsed,
        integrations_connected: integrations + (lift > 0.5 ? 1 : 0),
        active_users: activeUsers,
        key_feature_use: Math.round(features * (1 + lift) * noise()),
        logins_30d: Math.round(activeUsers * random.between(8, 20)),
        reports_scheduled: Math.round(features * value * 0.2 * noise()),
        hours_saved: Math.round(features * value * 0.6 * noise()),
      },
    });
  }
  for (const contact of synthetic.contacts) {
    const inSpell = spell?.contactIds.includes(contact.contactId) ?? false;
    if (!contact.productUser && !inSpell) continue;
    // Monthly for product users; weekly for the people of a spell while it lasts.
    for (let at = start + random.between(0, 30) * DAY; at <= end; at += 30 * DAY) {
      if (contact.productUser) records.push({ accountId: account.accountId, at, contactId: contact.contactId, metrics: { logins_30d: random.int(4, 25) } });
    }
    if (inSpell && spell && !synthetic.busy) {
      for (let at = spell.from + random.between(0, 7) * DAY; at <= Math.min(end, spell.to); at += 7 * DAY) {
        if (random.chance(spell.strength)) records.push({ accountId: account.accountId, at, contactId: contact.contactId, metrics: { key_feature_use: random.int(5, 40) } });
      }
    }
  }
  return records;
}

/** Scanner vendors with listed networks (exported for the test: every one must have ranges). */
export const LISTED_SCANNER_VENDORS = Object.keys(SCANNER_NETWORK_RANGES);
