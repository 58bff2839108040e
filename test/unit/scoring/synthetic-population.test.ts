/**
 * The synthetic population behind `scoring.precision_at_20` (bench/population/): deterministic
 * per seed, with the configured intent share, and with every confounder the bench claims to
 * measure actually present in the requests and events it generates.
 */
import { describe, expect, it } from 'vitest';
import { engineViewOf } from '../../../bench/population/engine-events.ts';
import { SeededRandom } from '../../../bench/population/seeded-random.ts';
import { generatePopulation, type Population } from '../../../bench/population/synthetic-population.ts';
import { shippedNetworks } from '../../../core/tracking/networks/known-networks.ts';

// A smaller population keeps the test quick; shares are checked with tolerances that fit its size.
const SMALL = { accounts: 120 };
const population: Population = generatePopulation({ seed: 7, ...SMALL });
let view: ReturnType<typeof engineViewOf> | undefined;
const engineView = () => (view ??= engineViewOf(population));

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and stream, another for another seed', () => {
    const draws = (seed: number, stream: number) => Array.from({ length: 5 }, ((random) => () => random.next())(new SeededRandom(seed, stream)));
    expect(draws(1, 0)).toEqual(draws(1, 0));
    expect(draws(1, 0)).not.toEqual(draws(2, 0));
    expect(draws(1, 0)).not.toEqual(draws(1, 1));
    for (const value of draws(3, 4)) expect(value).toBeGreaterThanOrEqual(0);
  });
});

describe('generatePopulation', () => {
  it('gives the same population for the same seed, and another for another seed', () => {
    const again = generatePopulation({ seed: 7, ...SMALL });
    expect(JSON.stringify(again)).toBe(JSON.stringify(population));
    const other = generatePopulation({ seed: 8, ...SMALL });
    expect(JSON.stringify(other.accounts.map((account) => account.intent))).not.toBe(JSON.stringify(population.accounts.map((account) => account.intent)));
  });

  it('labels exactly the configured share of accounts with intent, and of accounts with past intent', () => {
    const intent = population.accounts.filter((account) => account.intent);
    expect(intent).toHaveLength(Math.round(120 * 0.1));
    expect(population.accounts.filter((account) => account.pastIntent)).toHaveLength(Math.round(120 * 0.08));
    expect(population.accounts.some((account) => account.intent && account.pastIntent)).toBe(false);
    const bigger = generatePopulation({ seed: 7, accounts: 50, intentShare: 0.3 });
    expect(bigger.accounts.filter((account) => account.intent)).toHaveLength(15);
  });

  it('has big tier-1 accounts and small ones, with realistic contact counts', () => {
    const sizes = (tier: string) => population.accounts.filter((account) => account.account.tier === tier).map((account) => account.contacts.length);
    expect(Math.min(...sizes('tier1'))).toBeGreaterThanOrEqual(20);
    expect(Math.max(...sizes('tier1'))).toBeLessThanOrEqual(80);
    expect(Math.max(...sizes('tier3'))).toBeLessThanOrEqual(10);
    expect(Math.min(...sizes('tier3'))).toBeGreaterThanOrEqual(2);
  });

  it('opens by Apple Mail Privacy Protection come from Apple networks, for about the configured share of contacts, on every email', () => {
    const contacts = population.accounts.flatMap((account) => account.contacts);
    const mppShare = contacts.filter((contact) => contact.appleMpp).length / contacts.length;
    expect(mppShare).toBeGreaterThan(0.33);
    expect(mppShare).toBeLessThan(0.47);
    const mppContacts = new Set(contacts.filter((contact) => contact.appleMpp).map((contact) => contact.contactId));
    const networks = shippedNetworks();
    for (const email of population.emails.filter((candidate) => mppContacts.has(candidate.contactId) && candidate.deliveredAt < population.settings.now.getTime() - 3_600_000)) {
      const proxied = email.opens.filter((open) => open.by === 'apple-mpp');
      expect(proxied).toHaveLength(1);
      expect(networks.networkOf(proxied[0]?.ip)?.kind).toBe('apple-mail-privacy-proxy');
    }
  });

  it('has link scanners with ordinary browser agents, some waiting minutes and some outside any listed network', () => {
    const scanned = population.accounts.filter((account) => account.gateway);
    expect(scanned.length / population.accounts.length).toBeGreaterThan(0.15);
    expect(scanned.length / population.accounts.length).toBeLessThan(0.45);
    const scannerClicks = population.emails.flatMap((email) => email.clicks.filter((click) => click.by === 'scanner').map((click) => ({ click, email })));
    const allClicks = population.emails.reduce((sum, email) => sum + email.clicks.length, 0);
    expect(scannerClicks.length / allClicks).toBeGreaterThan(0.3);
    expect(scannerClicks.every(({ click }) => click.userAgent?.startsWith('Mozilla/5.0 ('))).toBe(true);
    expect(scannerClicks.some(({ click, email }) => click.at.getTime() - email.deliveredAt > 5 * 60_000)).toBe(true);
    const networks = shippedNetworks();
    expect(scannerClicks.some(({ click }) => networks.networkOf(click.ip) === undefined)).toBe(true);
    expect(scannerClicks.some(({ click }) => networks.networkOf(click.ip)?.kind === 'mail-security-scanner')).toBe(true);
  });

  it('has newsletter fans in accounts without intent, who read nearly every newsletter', () => {
    const withFan = population.accounts.filter((account) => account.contacts.some((contact) => contact.fan));
    expect(withFan.every((account) => !account.intent)).toBe(true);
    const share = withFan.length / population.accounts.filter((account) => !account.intent).length;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.25);
    const fans = new Set(withFan.flatMap((account) => account.contacts.filter((contact) => contact.fan).map((contact) => contact.contactId)));
    const newsletters = population.emails.filter((email) => fans.has(email.contactId) && email.campaignId.startsWith('newsletter-'));
    const clicked = newsletters.filter((email) => email.clicks.some((click) => click.by === 'person'));
    expect(clicked.length / newsletters.length).toBeGreaterThan(0.6);
  });

  it('past intent ended months before now; current intent is recent', () => {
    const now = population.settings.now.getTime();
    for (const account of population.accounts.filter((candidate) => candidate.pastIntent)) expect(now - (account.spell?.to ?? now)).toBeGreaterThan(60 * 86_400_000);
    for (const account of population.accounts.filter((candidate) => candidate.intent)) expect(now - (account.spell?.from ?? 0)).toBeLessThanOrEqual(75 * 86_400_000);
  });

  it('intent shows noisily: intent accounts engage more on average, yet some are quieter than some accounts without intent', () => {
    const humanClicks = new Map<string, number>();
    for (const event of engineView().events) if (event.type === 'click' && !event.machine) humanClicks.set(event.accountId, (humanClicks.get(event.accountId) ?? 0) + 1);
    const perContact = (account: Population['accounts'][number]) => (humanClicks.get(account.account.accountId) ?? 0) / account.contacts.length;
    const intent = population.accounts.filter((account) => account.intent).map(perContact);
    const others = population.accounts.filter((account) => !account.intent).map(perContact);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean(intent)).toBeGreaterThan(mean(others));
    expect(Math.min(...intent)).toBeLessThan(Math.max(...others));
  });

  it('the engine classifier catches most machine traffic but decides for itself (every kind of request reaches it)', () => {
    const { traffic } = engineView();
    const mpp = traffic.opens['apple-mpp'];
    expect(mpp.machine / (mpp.machine + mpp.human)).toBeGreaterThan(0.95);
    const scanner = traffic.clicks.scanner;
    expect(scanner.machine / (scanner.machine + scanner.human)).toBeGreaterThan(0.8);
    expect(traffic.clicks.person.human).toBeGreaterThan(0);
    expect(traffic.opens.person.human).toBeGreaterThan(0);
  });
});
