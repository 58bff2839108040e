/**
 * The engine's own Liquid filters as a template author uses them: money and numbers the way the
 * contact's language writes them, dates in the contact's time zone and from the render's clock
 * (never the server's), and `default` on the optional fields the context carries as null.
 */
import { describe, expect, it } from 'vitest';
import { Liquid } from 'liquidjs';
import { registerTemplateFilters } from '../../../core/rendering/liquid-filters.ts';
import type { Account } from '../../../core/customers/account.ts';
import type { Contact } from '../../../core/customers/contact.ts';
import { renderContextOf, renderContextSchema, type RenderContext } from '../../../core/rendering/render-context.ts';
import { createRenderingEngines } from '../../../core/rendering/rendering-engines.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';

const engines = createRenderingEngines();
const render = (source: string, context: object) => engines.text.parseAndRenderSync(source, context) as string;
const renderHtml = (source: string, context: object) => engines.html.parseAndRenderSync(source, context) as string;

const LINKS = { unsubscribe: 'https://mail.example.com/u/t', preferences: 'https://mail.example.com/p/t' };
const NO_DECLARED = { contact: [], account: [] };

const japanese: { contact: Contact; account: Account } = {
  contact: { contactId: 'c-ja', accountId: 'a-ja', email: 'hanako@example.co.jp', firstName: '花子', lastName: '佐藤', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] },
  account: { accountId: 'a-ja', name: '株式会社神戸ロボティクス', tier: 'tier1', plan: 'enterprise', products: ['core'], phase: 'adoption', mrr: 120000, currency: 'JPY' },
};
const american: { contact: Contact; account: Account } = {
  contact: { contactId: 'c-en', accountId: 'a-en', email: 'sam@example.com', firstName: 'Sam', lastName: 'Lee', locale: 'en', timeZone: 'America/Los_Angeles', consent: 'granted', topicsOptedOut: [], role: 'CTO' },
  account: { accountId: 'a-en', name: 'Acme', tier: 'tier2', plan: 'standard', products: [], phase: 'nurturing', mrr: 1200, currency: 'USD', csmOwner: 'csm-1' },
};

/** 23:30 UTC on 30 November: already 1 December in Tokyo, still 30 November (15:30) in Los Angeles. */
const CLOCK_NOW = new Date('2026-11-30T23:30:00Z');

function contextOf(customer: { contact: Contact; account: Account }, now = CLOCK_NOW): RenderContext {
  return renderContextSchema.parse(renderContextOf({ ...customer, links: LINKS, sender: { name: 'Example', organization: 'Example K.K.', postalAddress: 'Tokyo' }, now, attributes: NO_DECLARED }));
}

describe('money and number', () => {
  it('format an amount in its currency the way the contact reads it', () => {
    expect(render('{{ account.mrr | money: account.currency }}', contextOf(japanese))).toBe('¥120,000');
    expect(render('{{ account.mrr | money: account.currency }}', contextOf(american))).toBe('$1,200.00');
    // Without a currency, the account's.
    expect(render('{{ account.mrr | money }}', contextOf(japanese))).toBe('¥120,000');
    expect(render('{{ 1234.5 | money: "EUR" }}', contextOf(american))).toBe('€1,234.50');
  });

  it('group digits, in the HTML body too', () => {
    expect(render('{{ 1234567.891 | number: 1 }}', contextOf(japanese))).toBe('1,234,567.9');
    expect(renderHtml('<p>{{ account.mrr | number }}</p>', contextOf(american))).toBe('<p>1,200</p>');
  });

  it('fail the render on a value that is not a number or a currency, instead of mailing it', () => {
    expect(() => render('{{ account.name | money }}', contextOf(american))).toThrow(/money: expected a number, got 'Acme'/);
    expect(() => render('{{ account.mrr | money: "yen" }}', contextOf(american))).toThrow(/money: expected an ISO 4217 currency/);
  });
});

describe('date', () => {
  it("shows 'now' from the render's clock, in the contact's zone and language", () => {
    expect(render("{{ 'now' | date: 'long' }}", contextOf(japanese))).toBe('2026年12月1日');
    expect(render("{{ 'now' | date: 'long' }}", contextOf(american))).toBe('November 30, 2026');
    expect(render("{{ 'now' | date: 'datetime' }}", contextOf(japanese))).toBe('2026年12月1日 8:30');
    expect(render("{{ now | date: 'time' }}", contextOf(american))).toBe('3:30 PM');
    // Another clock, another date: nothing comes from the machine's clock.
    expect(render("{{ 'today' | date: '%Y-%m-%d' }}", contextOf(japanese, new Date('2031-05-05T00:00:00Z')))).toBe('2031-05-05');
  });

  it('formats strftime patterns in the contact zone, with month names in their language', () => {
    expect(render("{{ '2026-12-10T05:00:00Z' | date: '%Y-%m-%d %H:%M' }}", contextOf(japanese))).toBe('2026-12-10 14:00');
    expect(render("{{ '2026-12-10T05:00:00Z' | date: '%Y-%m-%d %H:%M' }}", contextOf(american))).toBe('2026-12-09 21:00');
    expect(render("{{ '2026-12-10T05:00:00Z' | date: '%B %-d' }}", contextOf(american))).toBe('December 9');
    expect(render("{{ '2026-12-10T05:00:00Z' | date: '%B' }}", contextOf(japanese))).toBe('12月');
  });

  it('shows a calendar date (a date attribute) as that day in every zone', () => {
    expect(render("{{ '2027-03-31' | date: 'long' }}", contextOf(american))).toBe('March 31, 2027');
    expect(render("{{ '2027-03-31' | date: 'full' }}", contextOf(japanese))).toBe('2027年3月31日水曜日');
  });

  it('fails the render on a value that is not a time, and on an unknown format', () => {
    expect(() => render("{{ 'next week' | date }}", contextOf(japanese))).toThrow(/date: expected 'now', a time like .* got 'next week'/);
    // A time without a zone would be read in the server's zone.
    expect(() => render("{{ '2026-12-10T05:00:00' | date }}", contextOf(japanese))).toThrow(/date: expected/);
    expect(() => render("{{ 'now' | date: 'longest' }}", contextOf(japanese))).toThrow(/date: unknown format 'longest'/);
  });
});

describe('optional fields and default', () => {
  it('`default` fills an optional field the CRM did not send; a value is shown as is', () => {
    expect(render("{{ contact.role | default: 'ご担当者' }}様", contextOf(japanese))).toBe('ご担当者様');
    expect(render("{{ contact.role | default: 'there' }}", contextOf(american))).toBe('CTO');
    expect(render("{{ account.csmOwner | default: 'your success team' }}", contextOf(japanese))).toBe('your success team');
    expect(render("{% if account.csmOwner %}CSM {{ account.csmOwner }}{% else %}team{% endif %}", contextOf(american))).toBe('CSM csm-1');
  });

  it('a misspelt field still fails the render (strictVariables is kept)', () => {
    expect(() => render("{{ contact.rol | default: 'x' }}", contextOf(japanese))).toThrow(/undefined variable: contact.rol/);
  });

  it('the sample recipients carry the new fields, an optional one as null', () => {
    const ja = sampleRenderContext('ja', 'none');
    const en = sampleRenderContext('en', 'none');
    expect(renderContextSchema.parse(ja)).toEqual(ja);
    expect(render('{{ account.mrr | money }} {{ account.tier }} {{ contact.timeZone }}', ja)).toBe('¥120,000 tier1 Asia/Tokyo');
    expect(render("{{ account.mrr | money }} {{ account.csmOwner | default: 'no CSM' }} {{ 'now' | date: 'long' }}", en)).toBe('$1,200.00 no CSM November 30, 2026');
  });
});

describe("LiquidJS's server-zone date filters", () => {
  it.each(['date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string'])('%s is refused, naming date', async (filter) => {
    const liquid = new Liquid({ strictFilters: true });
    registerTemplateFilters(liquid);
    await expect(liquid.parseAndRender(`{{ '2026-12-02T01:00:00Z' | ${filter} }}`)).rejects.toThrow(/use \| date/);
  });
});
