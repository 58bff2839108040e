/** A real newsletter made trackable: click URLs name stored positions, the pixel is there, unsubscribe is untouched. */
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../../core/config/schema/common.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateCompiler } from '../../../core/rendering/template-compiler.ts';
import { verifyToken } from '../../../core/tracking/link-token.ts';
import { linkSetId } from '../../../core/tracking/message-links.ts';
import { trackEmail } from '../../../core/tracking/track-email.ts';
import { configFrom } from '../rendering/rendering-fixtures.ts';

const settings = { baseUrl: 'https://links.example.com', tokenSecret: 'unit-secret-0123456789' };
const now = new Date('2026-12-02T01:00:00Z');
const config = configFrom();
const compiler = new TemplateCompiler(config.templates);

async function tracked(locale: Locale) {
  const compiled = await compiler.compile('monthly-newsletter', locale);
  const context = sampleRenderContext(locale, 'none');
  const rendered = renderEmail(compiled, context);
  const email = { messageId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-1', locale, html: rendered.html, text: rendered.text, untracked: [context.links.unsubscribe, context.links.preferences] };
  return { context, result: trackEmail(email, settings, now) };
}

/** Where the honeypot link leads by default: the engine's own landing page. */
const HONEYPOT_TARGET = 'https://links.example.com/about/email-links';
/** The content links of the shipped Japanese newsletter, in order. */
const JA_LINKS = ['https://example.com/ja/releases', 'https://example.com/ja/tips/pinning', 'https://example.com/ja/webinars'];

describe('trackEmail', () => {
  it('replaces each content link with a click URL whose token names its stored position', async () => {
    const { context, result } = await tracked('ja');
    // The content links keep their positions; the invisible honeypot link is stored last, flagged.
    expect(result.links).toEqual({
      messageId: 'monthly-newsletter',
      runId: '20261202T010000Z',
      linkSet: linkSetId([...JA_LINKS, HONEYPOT_TARGET], JA_LINKS.length),
      locale: 'ja',
      links: [...JA_LINKS, HONEYPOT_TARGET],
      honeypot: JA_LINKS.length,
      savedAt: now.toISOString(),
    });
    expect(result.html).not.toContain('https://example.com/ja/releases');
    const clickUrls = [...result.html.matchAll(/href="(https:\/\/links\.example\.com\/c\/([^"]+))"/g)].filter(
      (match) => verifyToken(match[2]!, settings.tokenSecret)?.link !== result.links!.honeypot,
    );
    expect(clickUrls).toHaveLength(JA_LINKS.length);
    expect(verifyToken(clickUrls[0]![2]!, settings.tokenSecret)).toEqual({
      purpose: 'click',
      messageId: 'monthly-newsletter',
      runId: '20261202T010000Z',
      contactId: 'con-1',
      link: 0,
      linkSet: result.links!.linkSet,
    });
    // The unsubscribe and preference links stay as they are: they carry tokens of their own.
    expect(result.html).toContain(`href="${context.links.unsubscribe}"`);
    expect(result.html).toContain(`href="${context.links.preferences}"`);
    // The text part points at the same click URL.
    expect(result.text).toContain(`[${clickUrls[0]![1]}]`);
    expect(result.text).toContain(`[${context.links.unsubscribe}]`);
  });

  it('adds one open pixel with a genuine open token just before </body>', async () => {
    const { result } = await tracked('en');
    const pixels = [...result.html.matchAll(/<img src="https:\/\/links\.example\.com\/o\/([^"]+)\.gif"[^>]*\/>\s*<\/body>/g)];
    expect(pixels).toHaveLength(1);
    expect(verifyToken(pixels[0]![1]!, settings.tokenSecret)).toEqual({ purpose: 'open', messageId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-1' });
  });

  it('hides one honeypot link in the HTML part only: no text, hidden from people and screen readers, naming the last stored position', async () => {
    const { result } = await tracked('en');
    const anchors = [...result.html.matchAll(/<a href="https:\/\/links\.example\.com\/c\/([^"]+)" aria-hidden="true" tabindex="-1" style="([^"]*)">(.*?)<\/a>/g)];
    expect(anchors).toHaveLength(1);
    const [, token, style, inner] = anchors[0]!;
    expect(style).toContain('display:none');
    expect(style).toContain('mso-hide:all');
    // Nothing a person could read or click: an empty span.
    expect(inner!.replace(/<[^>]*>/g, '')).toBe('');
    // After the content (the first link of the email is still a content link), just before the open pixel.
    expect(result.html.slice(anchors[0]!.index! + anchors[0]![0].length)).toMatch(/^<img src="https:\/\/links\.example\.com\/o\/[^"]+\.gif"[^>]*\/>\s*<\/body>/);
    expect(verifyToken(/href="https:\/\/links\.example\.com\/c\/([^"]+)"/.exec(result.html)![1]!, settings.tokenSecret)?.link).toBe(0);
    const claims = verifyToken(token!, settings.tokenSecret);
    expect(claims?.link).toBe(result.links!.honeypot);
    expect(result.links!.links[claims!.link!]).toBe(HONEYPOT_TARGET);
    // Never in the text part: a person clicking a URL there must not fall into the trap.
    expect(result.text).not.toContain(token!);
    for (const url of result.text.match(/https:\/\/links\.example\.com\/c\/[^\s\]]+/g) ?? []) {
      expect(verifyToken(url.slice(url.lastIndexOf('/') + 1), settings.tokenSecret)?.link).not.toBe(result.links!.honeypot);
    }
  });

  it('leads the honeypot to the configured harmless page when there is one', () => {
    const html = '<html><body><a href="https://example.com/a">a</a></body></html>';
    const result = trackEmail({ messageId: 'm', runId: 'r', contactId: 'c', locale: 'en', html, text: 'a [https://example.com/a]', untracked: [] }, { ...settings, honeypotTarget: 'https://www.example.com/' }, now);
    expect(result.links?.links).toEqual(['https://example.com/a', 'https://www.example.com/']);
    expect(result.links?.honeypot).toBe(1);
  });

  it('gives each locale its own link set, so a click resolves to the link of the email it came from', async () => {
    const [ja, en] = await Promise.all([tracked('ja'), tracked('en')]);
    expect(en.result.links!.links).toEqual(['https://example.com/releases', 'https://example.com/tips/pinning', 'https://example.com/webinars', HONEYPOT_TARGET]);
    expect(ja.result.links!.linkSet).not.toBe(en.result.links!.linkSet);
  });

  it('stores nothing for an email without content links, and hides no honeypot in it', () => {
    const result = trackEmail({ messageId: 'm', runId: 'r', contactId: 'c', locale: 'en', html: '<body><a href="https://l.example/u/x">u</a></body>', text: '', untracked: ['https://l.example/u/x'] }, settings, now);
    expect(result.links).toBeUndefined();
    expect(result.html).not.toContain('aria-hidden');
    expect(result.html).toMatch(/<img src="https:\/\/links\.example\.com\/o\/[^"]+\.gif"/);
  });
});
