/**
 * Templates of the kinds public collections hold (mjmlio/email-templates and the like): multi-column
 * layouts, a hero image, social icons and a navbar, an HTML table, a 70 KB newsletter. Written in
 * this engine's dialect (test/fixtures/templates/public-kinds/<id>/<locale>.mjml), they must pass
 * `npm run validate`'s render check, render for the sample recipients with each Liquid branch
 * taken by the right people, and come out of click tracking with no untracked content link, in
 * the HTML or in the plain-text part.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../../core/config/schema/common.ts';
import type { RenderContext } from '../../../core/rendering/render-context.ts';
import { renderEmail, type RenderedEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateCompiler } from '../../../core/rendering/template-compiler.ts';
import { validateTemplatesRender } from '../../../core/rendering/validate-templates.ts';
import { verifyToken } from '../../../core/tracking/link-token.ts';
import { trackEmail, type TrackedEmail } from '../../../core/tracking/track-email.ts';
import { ExampleConfigSources } from '../config/example-config-sources.ts';
import { configFrom } from './rendering-fixtures.ts';

const KINDS = ['product-update-columns', 'hero-announcement', 'social-newsletter', 'usage-summary', 'long-newsletter'] as const;
type Kind = (typeof KINDS)[number];

function fixtureText(kind: Kind, locale: Locale): string {
  return readFileSync(new URL(`../../fixtures/templates/public-kinds/${kind}/${locale}.mjml`, import.meta.url), 'utf8');
}

const sources = ExampleConfigSources.read();
for (const kind of KINDS) for (const locale of LOCALES) sources.addTemplate(kind, locale, fixtureText(kind, locale));
const config = configFrom(sources);
const compiler = new TemplateCompiler(config.templates);
const FIXTURE_FILES = new Set(KINDS.flatMap((kind) => LOCALES.map((locale) => `templates/${kind}/${locale}.mjml`)));

async function render(kind: Kind, context: RenderContext): Promise<RenderedEmail> {
  return renderEmail(await compiler.compile(kind, context.contact.locale), context);
}

const onPlan = (context: RenderContext, plan: string): RenderContext => ({ ...context, account: { ...context.account, plan } });

/** Click tracking as the sender applies it (core/sending/send-emails.ts composeEmail). */
const TRACKING = { baseUrl: 'https://links.example.com', tokenSecret: 'unit-secret-0123456789' };
const CLICK_URL = /^https:\/\/links\.example\.com\/c\/([^\s\]/]+)$/;

function track(kind: Kind, context: RenderContext, email: RenderedEmail): TrackedEmail {
  return trackEmail(
    {
      messageId: kind,
      runId: '20270301T000000Z',
      contactId: 'con-1',
      locale: context.contact.locale,
      html: email.html,
      text: email.text,
      untracked: [context.links.unsubscribe, context.links.preferences],
    },
    TRACKING,
    new Date('2027-03-01T00:00:00Z'),
  );
}

/** The http(s) `href`s of the `<a>` tags of an HTML body, decoded as a browser reads them. */
function anchorHrefs(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*?\bhref\s*=\s*"([^"]*)"/gi)].map((match) => match[1]!.replace(/&amp;/g, '&')).filter((href) => /^https?:\/\//i.test(href));
}

/** Every http(s) URL a reader of the plain-text part sees, in order, with where it stands. */
function textUrls(text: string): { url: string; index: number }[] {
  return [...text.matchAll(/https?:\/\/[^\s\]]+/gi)].map((match) => ({ url: match[0], index: match.index }));
}

describe('templates of the kinds public collections hold', () => {
  it('pass the render check of npm run validate', async () => {
    const problems = await validateTemplatesRender(config);
    expect(problems.filter((problem) => FIXTURE_FILES.has(problem.file))).toEqual([]);
  });

  it('link only to example.com and example.jp, and are the shapes they claim to be', () => {
    for (const kind of KINDS) {
      for (const locale of LOCALES) {
        const text = fixtureText(kind, locale);
        const label = `${kind}/${locale}`;
        for (const match of text.matchAll(/\bhref="(https?:\/\/[^"]*)"/g)) expect(new URL(match[1]!).hostname, label).toMatch(/(^|\.)example\.(com|jp)$/);
        expect(text, label).toMatch(/<mj-image\b[^>]*\bhref="https:\/\//);
        expect(text, label).toMatch(/<a href="(https:\/\/[^"]+)"[^>]*>\1<\/a>/);
      }
    }
    for (const locale of LOCALES) {
      const columns = fixtureText('product-update-columns', locale);
      expect(columns).toMatch(/<mj-column width="50%"/);
      expect(columns).toMatch(/<mj-column width="33\.33%"/);
      expect(fixtureText('hero-announcement', locale)).toMatch(/<mj-hero\b[^>]*\bbackground-url="https:\/\/[^"]+"[\s\S]*<mj-button\b[\s\S]*<\/mj-hero>/);
      const social = fixtureText('social-newsletter', locale);
      expect(social.match(/<mj-social-element\b/g)?.length).toBeGreaterThanOrEqual(4);
      expect(social).toMatch(/<mj-navbar\b[\s\S]*<mj-navbar-link\b/);
      expect(fixtureText('usage-summary', locale)).toMatch(/<mj-table\b[\s\S]*\{% if account\.products contains 'analytics' %\}[\s\S]*<\/mj-table>/);
    }
  });

  it('keeps the long newsletter at the size of a real one (at least 65 KB of source)', () => {
    for (const locale of LOCALES) {
      expect(Buffer.byteLength(fixtureText('long-newsletter', locale), 'utf8'), locale).toBeGreaterThanOrEqual(65 * 1024);
    }
  });

  it('render an HTML and a text part for the ja and en sample recipients, greeting them by name or falling back', async () => {
    const greetings: Record<Locale, { named: string; unnamed: string }> = {
      ja: { named: '山田 様', unnamed: 'ご担当者様' },
      en: { named: 'Hello Alex,', unnamed: 'Hello,' },
    };
    for (const kind of KINDS) {
      for (const locale of LOCALES) {
        const label = `${kind}/${locale}`;
        const context = sampleRenderContext(locale, 'none');
        const email = await render(kind, context);
        expect(email.subject, label).not.toBe('');
        expect(email.html, label).toMatch(/^<!doctype html>/i);
        for (const part of [email.subject, email.html, email.text]) expect(part, label).not.toMatch(/\{\{|\}\}|\{%|%\}/);
        expect(email.text, label).toContain(greetings[locale].named);
        // The text part wraps long lines: compare the address with its spaces as line breaks too.
        expect(email.text.replace(/\s+/g, ' '), label).toContain(context.sender.postalAddress);
        expect(email.text, label).toContain(context.links.unsubscribe);
        const unnamed = await render(kind, { ...context, contact: { ...context.contact, firstName: '', lastName: '' } });
        expect(unnamed.text, label).toContain(greetings[locale].unnamed);
        expect(unnamed.text, label).not.toContain(greetings[locale].named);
      }
    }
  });

  it('shows the enterprise section of the long newsletter to enterprise accounts only, and lists the account’s products', async () => {
    const marker: Record<Locale, string> = { ja: 'エンタープライズプランのお客様へ', en: 'For enterprise accounts' };
    for (const locale of LOCALES) {
      const sample = sampleRenderContext(locale, 'none');
      expect(sample.account.plan).not.toBe('enterprise');
      const email = await render('long-newsletter', sample);
      expect(email.html, locale).not.toContain(marker[locale]);
      expect(email.text, locale).not.toContain(marker[locale]);
      const enterprise = await render('long-newsletter', onPlan(sample, 'enterprise'));
      expect(enterprise.html, locale).toContain(marker[locale]);
      expect(enterprise.text, locale).toContain(marker[locale]);
      for (const product of sample.account.products) expect(email.text, `${locale} ${product}`).toMatch(new RegExp(`^ \\* ${product}\\b`, 'm'));
    }
  });

  it('shows the usage summary’s plan, amount and analytics row by the account’s data', async () => {
    const analyticsRow: Record<Locale, string> = { ja: '分析オプション', en: 'Analytics add-on' };
    const amount: Record<Locale, string> = { ja: '¥120,000', en: '$1,200.00' };
    for (const locale of LOCALES) {
      const sample = sampleRenderContext(locale, 'none');
      const email = await render('usage-summary', sample);
      expect(email.text, locale).toContain(sample.account.plan);
      expect(email.text, locale).toContain(amount[locale]);
      // The ja sample account has analytics, the en one does not.
      expect(email.text.includes(analyticsRow[locale]), locale).toBe(sample.account.products.includes('analytics'));
      expect(email.html.includes(analyticsRow[locale]), locale).toBe(sample.account.products.includes('analytics'));
      const withAnalytics = await render('usage-summary', { ...sample, account: { ...sample.account, products: ['core', 'analytics'] } });
      const without = await render('usage-summary', { ...sample, account: { ...sample.account, products: ['core'] } });
      expect(withAnalytics.text, locale).toContain(analyticsRow[locale]);
      expect(without.text, locale).not.toContain(analyticsRow[locale]);
    }
  });

  it('tracking turns every content link of the HTML into a click URL, leaving unsubscribe and preferences', async () => {
    for (const kind of KINDS) {
      for (const locale of LOCALES) {
        const label = `${kind}/${locale}`;
        const context = onPlan(sampleRenderContext(locale, 'none'), 'enterprise');
        const email = await render(kind, context);
        const legal = [context.links.unsubscribe, context.links.preferences];
        const content = anchorHrefs(email.html).filter((href) => !legal.includes(href));
        expect(content.length, label).toBeGreaterThan(0);
        const tracked = track(kind, context, email);
        // The content links in order, then the invisible honeypot link (its own click URL).
        expect(tracked.links?.links, label).toEqual([...content.map((href) => new URL(href).href), `${TRACKING.baseUrl}/about/email-links`]);
        expect(tracked.links?.honeypot, label).toBe(content.length);
        const after = anchorHrefs(tracked.html);
        expect(after.filter((href) => !legal.includes(href) && !CLICK_URL.test(href)), label).toEqual([]);
        expect(after.filter((href) => CLICK_URL.test(href)), label).toHaveLength(content.length + 1);
        for (const href of legal) expect(after, label).toContain(href);
      }
    }
  });

  it('tracking leaves no raw content URL in the text part: each is a click URL, each target shown once', async () => {
    const raw: string[] = [];
    for (const kind of KINDS) {
      for (const locale of LOCALES) {
        const label = `${kind}/${locale}`;
        const context = onPlan(sampleRenderContext(locale, 'none'), 'enterprise');
        const tracked = track(kind, context, await render(kind, context));
        const legal = [context.links.unsubscribe, context.links.preferences];
        const stored = tracked.links?.links ?? [];
        const urls = textUrls(tracked.text);
        for (const href of legal) expect(urls.map(({ url }) => url), label).toContain(href);
        // Where each URL of the text part leads: a click URL to its stored target.
        const targets = urls.map(({ url }) => {
          const token = CLICK_URL.exec(url)?.[1];
          if (token === undefined) return url;
          const claims = verifyToken(token, TRACKING.tokenSecret);
          expect(claims?.linkSet, `${label}: ${url}`).toBe(tracked.links?.linkSet);
          const target = claims?.link === undefined ? undefined : stored[claims.link];
          expect(target, `${label}: ${url} names no stored link`).toBeDefined();
          return target ?? url;
        });
        for (const { url } of urls) if (!legal.includes(url) && !CLICK_URL.test(url)) raw.push(`${label}: ${url}`);
        // A link whose text is its URL reads once, not as "https://... [https://.../c/...]" (same target twice in a row).
        urls.forEach(({ url, index }, position) => {
          const next = urls[position + 1];
          if (!next) return;
          const between = tracked.text.slice(index + url.length, next.index);
          if (/^[\s[]*$/.test(between)) expect(targets[position + 1], `${label}: '${tracked.text.slice(index, next.index + next.url.length)}' shows one target twice`).not.toBe(targets[position]);
        });
      }
    }
    expect(raw, 'raw content URLs in the tracked text part').toEqual([]);
  });
});
