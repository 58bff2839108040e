/** Link rewriting at render time: which links are tracked, what is stored, what the email then carries. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRenderingEngines } from '../../../core/rendering/rendering-engines.ts';
import { appendOpenPixel, decodeCharacterReferences, planLinkRewrite } from '../../../core/tracking/rewrite-links.ts';

const UNSUBSCRIBE = 'https://links.example.com/u/tok-u';
const PREFERENCES = 'https://links.example.com/p/tok-p';
const track = (position: number) => `https://links.example.com/c/T${position}`;

describe('planLinkRewrite', () => {
  it('tracks every http(s) link in order, leaves unsubscribe, preferences and non-web links alone', () => {
    const html = `<html><body>
      <a href="https://example.com/releases" style="color:#fff" target="_blank">Release notes</a>
      <A HREF='http://example.com/blog'>Blog</A>
      <a class=x href=https://example.com/bare>Bare</a>
      <a href="mailto:help@example.com">Mail us</a>
      <a href="tel:+81312345678">Call</a>
      <a href="#top">Top</a>
      <a href="/relative">Relative</a>
      <a name="anchor">No href</a>
      <a href="${PREFERENCES}">Preferences</a> <a href="${UNSUBSCRIBE}">Unsubscribe</a>
      <abbr href="https://example.com/not-a-link">abbr</abbr>
      </body></html>`;
    const plan = planLinkRewrite(html, [UNSUBSCRIBE, PREFERENCES]);
    expect(plan.links).toEqual(['https://example.com/releases', 'http://example.com/blog', 'https://example.com/bare']);
    const out = plan.rewriteHtml(track);
    expect(out).toContain('<a href="https://links.example.com/c/T0" style="color:#fff" target="_blank">Release notes</a>');
    expect(out).toContain(`<A HREF="https://links.example.com/c/T1">Blog</A>`);
    expect(out).toContain('<a class=x href="https://links.example.com/c/T2">Bare</a>');
    for (const kept of ['mailto:help@example.com', 'tel:+81312345678', '#top', '/relative', PREFERENCES, UNSUBSCRIBE, 'https://example.com/not-a-link']) {
      expect(out).toContain(`"${kept}"`);
    }
  });

  it('reads the real href: not data-href, not an href= inside another attribute, and quoted values may hold >', () => {
    const html = `<a data-href="https://evil.example/1" title="see href='https://evil.example/2' > here" href="https://example.com/real">x</a>`;
    const plan = planLinkRewrite(html);
    expect(plan.links).toEqual(['https://example.com/real']);
    expect(plan.rewriteHtml(track)).toBe(`<a data-href="https://evil.example/1" title="see href='https://evil.example/2' > here" href="https://links.example.com/c/T0">x</a>`);
  });

  it('stores the decoded target (Liquid escapes & in personalised links) and keeps duplicates at their own positions', () => {
    const html = `<a href="https://zoom.example.com/j/1?pwd=a&amp;uname=%E5%A4%AA&#x26;x=&#39;1&#39;">Join</a><a href="https://example.com/">Logo</a><a href="https://example.com/">Button</a>`;
    const plan = planLinkRewrite(html);
    expect(plan.links).toEqual(['https://zoom.example.com/j/1?pwd=a&uname=%E5%A4%AA&x=%271%27', 'https://example.com/', 'https://example.com/']);
    expect(plan.rewriteHtml(track)).toBe('<a href="https://links.example.com/c/T0">Join</a><a href="https://links.example.com/c/T1">Logo</a><a href="https://links.example.com/c/T2">Button</a>');
  });

  it('escapes the tracking URL it writes into the attribute', () => {
    const out = planLinkRewrite('<a href="https://example.com/">x</a>').rewriteHtml(() => 'https://t.example/c/a"b&c');
    expect(out).toBe('<a href="https://t.example/c/a&quot;b&amp;c">x</a>');
  });

  it('rewrites the plain-text part where it shows a tracked link, and nothing else', () => {
    const plan = planLinkRewrite(`<a href="https://example.com/a?x=1&amp;y=2">A</a><a href="${UNSUBSCRIBE}">U</a>`, [UNSUBSCRIBE]);
    const text = `Read [https://example.com/a?x=1&y=2]\nOther [https://other.example/] · Unsubscribe [${UNSUBSCRIBE}]`;
    expect(plan.rewriteText(text, track)).toBe(`Read [https://links.example.com/c/T0]\nOther [https://other.example/] · Unsubscribe [${UNSUBSCRIBE}]`);
  });

  it('finds again exactly the links it wrote (property)', () => {
    const url = fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((candidate) => /^https?:\/\//.test(candidate));
    fc.assert(
      fc.property(fc.array(fc.tuple(url, fc.constantFrom('"', "'")), { maxLength: 8 }), fc.string({ maxLength: 20 }), (links, filler) => {
        const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;');
        const html = links.map(([link, quote]) => `<p>${escape(filler)}</p><a target="_blank" href=${quote}${escape(link)}${quote}>${escape(filler)}</a>`).join('\n');
        const plan = planLinkRewrite(html);
        expect(plan.links).toEqual(links.map(([link]) => new URL(link).href));
        const rewritten = plan.rewriteHtml(track);
        expect(planLinkRewrite(rewritten).links).toEqual(links.map((_, position) => track(position)));
      }),
    );
  });
});

describe('appendOpenPixel', () => {
  it('puts one 1x1 image right before the last </body>, or at the end without one', () => {
    const out = appendOpenPixel('<html><body><p>Hi</p></BODY></html>', 'https://links.example.com/o/tok.gif');
    expect(out).toMatch(/<p>Hi<\/p><img src="https:\/\/links\.example\.com\/o\/tok\.gif" width="1" height="1" alt="" style="[^"]*" \/><\/BODY><\/html>$/);
    expect(appendOpenPixel('<p>fragment</p>', 'https://t.example/o/x.gif')).toMatch(/^<p>fragment<\/p><img src="https:\/\/t\.example\/o\/x\.gif"/);
  });

  it('goes before the last </body>, whatever its case and spacing, when the HTML holds several', () => {
    const out = appendOpenPixel('<body><p>"</body>" in text</p></Body >\n</html><!-- </b --></x>', 'https://t.example/o/x.gif');
    expect(out).toMatch(/in text<\/p><img src="https:\/\/t\.example\/o\/x\.gif"[^>]*\/><\/Body >\n<\/html><!-- <\/b --><\/x>$/);
  });
});

describe('decodeCharacterReferences', () => {
  it('decodes named and numeric references and leaves anything else as written', () => {
    expect(decodeCharacterReferences('a&amp;b&quot;c&#39;d&#x41;&#0;&bogus;&#xD800;')).toBe('a&b"c\'dA&#0;&bogus;&#xD800;');
  });
});

describe('the plain-text part, as the renderer writes it', () => {
  const engines = createRenderingEngines();
  const html = `<html><body>
    <p><a href="https://example.com/docs">https://example.com/docs</a></p>
    <p><a href="https://example.com/product"><img src="https://example.com/p.png" alt="Product"></a></p>
    <p><a href="https://example.com/a?x=1&amp;y=2">Read the release notes</a></p>
    <p>Or paste this: https://example.com/docs.</p>
    <p><a href="${PREFERENCES}">Preferences</a> · <a href="${UNSUBSCRIBE}">Unsubscribe</a></p>
    </body></html>`;

  it('tracks every http(s) link once: on an image, whose text is its URL, or in brackets; never raw', () => {
    const text = engines.plainText(html);
    const plan = planLinkRewrite(html, [UNSUBSCRIBE, PREFERENCES]);
    expect(plan.links).toEqual(['https://example.com/docs', 'https://example.com/product', 'https://example.com/a?x=1&y=2']);
    const tracked = plan.rewriteText(text, track);
    for (const target of plan.links) expect(tracked).not.toContain(target);
    // The link whose text is its URL shows once (no `url [url]`), the image link once.
    expect(tracked.match(/T0/g)).toHaveLength(2); // the link itself, and the same URL pasted in prose
    expect(tracked.match(/T1/g)).toHaveLength(1);
    expect(tracked).toContain('Read the release notes [https://links.example.com/c/T2]');
    // Prose keeps its full stop; unsubscribe and preferences keep their own token URLs.
    expect(tracked).toContain('Or paste this: https://links.example.com/c/T0.');
    expect(tracked).toContain(`[${UNSUBSCRIBE}]`);
    expect(tracked).toContain(`[${PREFERENCES}]`);
  });
});
