/**
 * Click tracking prepared at compile time and recorded while rendering (the sender's path) must
 * give exactly the email and link set that scanning the rendered HTML gives (the preview's path):
 * same positions, same link set id, same bytes, with links made in loops and branches, and the
 * cases it cannot prepare handed to the scan.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../../core/config/schema/common.ts';
import { compileTemplate, type CompiledTemplate } from '../../../core/rendering/compile-template.ts';
import type { RenderContext } from '../../../core/rendering/render-context.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { createRenderingEngines, trackingRenderOptions } from '../../../core/rendering/rendering-engines.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateCompileError } from '../../../core/rendering/template-failure.ts';
import { TemplateCompiler } from '../../../core/rendering/template-compiler.ts';
import { verifyToken } from '../../../core/tracking/link-token.ts';
import { linkSetId, type MessageLinks } from '../../../core/tracking/message-links.ts';
import { LinkTracker, markTrackedHrefs } from '../../../core/tracking/prepared-links.ts';
import { trackEmail, type TrackedEmail } from '../../../core/tracking/track-email.ts';
import { ExampleConfigSources } from '../config/example-config-sources.ts';
import { configFrom, personalizedVersion } from '../rendering/rendering-fixtures.ts';

const settings = { baseUrl: 'https://links.example.com', tokenSecret: 'unit-secret-0123456789' };
const now = new Date('2026-12-02T01:00:00Z');
const ref = { messageId: 'm-1', runId: 'r-1', contactId: 'con-1' } as const;
/** Where the invisible honeypot link of every tracked email with content links leads (the last stored position). */
const HONEYPOT = 'https://links.example.com/about/email-links';
/** The content links of a stored link set: all but the honeypot. */
const contentOf = (stored: MessageLinks | undefined) => stored?.links.slice(0, stored.honeypot);

/** The email as the sender makes it (prepared) and as a preview makes it (scanned), for one recipient. */
function bothPaths(compiled: CompiledTemplate, context: RenderContext): { prepared: TrackedEmail; scanned: TrackedEmail; usedPrepared: boolean } {
  const untracked = [context.links.unsubscribe, context.links.preferences];
  const forSender = renderEmail(compiled, context, { trackLinks: true });
  const forPreview = renderEmail(compiled, context);
  // Preparing changes nothing the caller sees of the rendered email.
  const { preparedLinks, ...rendered } = forSender;
  expect(rendered).toEqual(forPreview);
  const email = { ...ref, locale: compiled.locale, untracked };
  return {
    prepared: trackEmail({ ...email, html: forSender.html, text: forSender.text, ...(preparedLinks ? { prepared: preparedLinks } : {}) }, settings, now),
    scanned: trackEmail({ ...email, html: forPreview.html, text: forPreview.text }, settings, now),
    usedPrepared: preparedLinks !== undefined,
  };
}

/** Click URLs of the tracked HTML, in order, as the positions and link sets their tokens name. */
function clickTokens(html: string) {
  return [...html.matchAll(/href="https:\/\/links\.example\.com\/c\/([^"]+)"/g)].map((match) => verifyToken(match[1]!, settings.tokenSecret));
}

const PUBLIC_KINDS = ['product-update-columns', 'hero-announcement', 'social-newsletter', 'usage-summary', 'long-newsletter'];

describe('prepared click tracking against scanning', () => {
  const sources = ExampleConfigSources.read();
  for (const kind of PUBLIC_KINDS) {
    for (const locale of LOCALES) sources.addTemplate(kind, locale, readFileSync(new URL(`../../fixtures/templates/public-kinds/${kind}/${locale}.mjml`, import.meta.url), 'utf8'));
  }
  const config = configFrom(sources);
  const compiler = new TemplateCompiler(config.templates);

  it('gives byte for byte the email and link set of the scan, for every shipped and public-kind template, plan and locale', async () => {
    let compared = 0;
    for (const [templateId, versions] of config.templates) {
      for (const locale of versions.keys()) {
        const compiled = await compiler.compile(templateId, locale);
        expect(compiled.linkTracking, `${templateId}/${locale}`).toBe('prepared');
        for (const plan of ['starter', 'standard', 'enterprise']) {
          // With a survey's answer links too, which the survey templates need (the others ignore them).
          const base = sampleRenderContext(locale, 'any', config.attributes, 'online', true);
          const { prepared, scanned, usedPrepared } = bothPaths(compiled, { ...base, account: { ...base.account, plan } });
          expect(usedPrepared).toBe(true);
          expect(prepared, `${templateId}/${locale} on ${plan}`).toEqual(scanned);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(30);
  });
});

/** Product links made in a loop, a plan-dependent block, a personalised link, and the recipient's own links. */
const loopAndBranch = personalizedVersion({
  mjml: `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>{% for product in account.products %}<p><a href="https://example.com/products/{{ product }}?who={{ contact.firstName }}&amp;from=mail">{{ product }}</a></p>{% endfor %}</mj-text>
        <mj-text><a href="mailto:help@example.com">Mail us</a> <a href="#top">Top</a></mj-text>
      </mj-column>
    </mj-section>
    {% if account.plan == 'enterprise' %}
    <mj-section>
      <mj-column>
        <mj-button href="https://example.com/enterprise/briefing">Book your briefing</mj-button>
      </mj-column>
    </mj-section>
    {% else %}
    <mj-section>
      <mj-column>
        <mj-button href="https://example.com/upgrade?plan={{ account.plan }}">Upgrade</mj-button>
      </mj-column>
    </mj-section>
    {% endif %}
    <mj-section>
      <mj-column>
        <mj-text><a href="https://example.com/">Home</a> <a href="{{ links.preferences }}">Preferences</a> <a href="{{ links.unsubscribe }}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`,
});

describe('links in loops and branches', () => {
  const en = sampleRenderContext('en', 'none');
  const recipient = (products: string[], plan: string): RenderContext => ({ ...en, account: { ...en.account, products, plan } });

  it.each([
    { products: ['analytics', 'reports', 'analytics'], plan: 'enterprise', expected: ['products/analytics?who=Alex&from=mail', 'products/reports?who=Alex&from=mail', 'products/analytics?who=Alex&from=mail', 'enterprise/briefing', ''] },
    { products: [], plan: 'starter', expected: ['upgrade?plan=starter', ''] },
  ])('stores the links the recipient got, in order ($products.length products, $plan)', async ({ products, plan, expected }) => {
    const compiled = await compileTemplate(loopAndBranch);
    expect(compiled.linkTracking).toBe('prepared');
    const { prepared, scanned, usedPrepared } = bothPaths(compiled, recipient(products, plan));
    expect(usedPrepared).toBe(true);
    const links = expected.map((path) => `https://example.com/${path}`);
    // The content links keep their positions; the honeypot comes after them.
    expect(prepared.links?.links).toEqual([...links, HONEYPOT]);
    expect(prepared.links?.honeypot).toBe(links.length);
    const linkSet = linkSetId([...links, HONEYPOT], links.length);
    expect(prepared.links?.linkSet).toBe(linkSet);
    // Each click URL of the HTML names its own position of that link set, in order (the honeypot last).
    expect(clickTokens(prepared.html)).toEqual([...links.keys(), links.length].map((link) => ({ purpose: 'click', ...ref, link, linkSet })));
    // Unsubscribe, preferences and non-web links are left as they are.
    for (const kept of [en.links.unsubscribe, en.links.preferences, 'mailto:help@example.com', '#top']) expect(prepared.html).toContain(`href="${kept}"`);
    expect(prepared).toEqual(scanned);
  });
});

describe('templates and renders the compile cannot prepare are tracked by scanning', () => {
  const en = sampleRenderContext('en', 'none');
  const withText = (text: string) => personalizedVersion({ mjml: personalizedVersion().mjml.replace('<mj-text>Hello', `<mj-text>${text} Hello`) });

  it('markup written by `raw`: the template is scanned, and still tracked', async () => {
    const compiled = await compileTemplate(withText(`{{ '<a href="https://example.com/raw">raw</a>' | raw }}`));
    expect(compiled.linkTracking).toBe('scan');
    const { prepared, scanned, usedPrepared } = bothPaths(compiled, en);
    expect(usedPrepared).toBe(false);
    expect(contentOf(prepared.links)).toEqual(['https://example.com/raw']);
    expect(prepared).toEqual(scanned);
  });

  it('Liquid inside an <a> tag outside attribute values: scanned, so the branch taken is tracked', async () => {
    const compiled = await compileTemplate(withText(`<a {% if account.plan == 'enterprise' %}href="https://example.com/e"{% else %}href="https://example.com/o"{% endif %}>x</a>`));
    expect(compiled.linkTracking).toBe('scan');
    const { prepared, scanned } = bothPaths(compiled, en);
    expect(contentOf(prepared.links)).toEqual(['https://example.com/o']);
    expect(prepared).toEqual(scanned);
  });

  it.each([
    ['cut by a filter', `{% capture link %}<a href="https://example.com/long/path">x</a>{% endcapture %}{{ link | truncate: 20 }}`, []],
    ['written twice', `{% capture link %}<a href="https://example.com/twice">x</a>{% endcapture %}{{ link }} and {{ link }}`, ['https://example.com/twice', 'https://example.com/twice']],
  ])('a link captured and %s: filters must see the link, so the template is scanned', async (_case, text, links) => {
    const compiled = await compileTemplate(withText(text));
    expect(compiled.linkTracking).toBe('scan');
    const { prepared, scanned, usedPrepared } = bothPaths(compiled, en);
    expect(usedPrepared).toBe(false);
    expect(contentOf(prepared.links)).toEqual(links.length === 0 ? undefined : links);
    expect(prepared).toEqual(scanned);
  });

  it('a NUL in customer data cannot pass for a link placeholder', async () => {
    const compiled = await compileTemplate(personalizedVersion({ mjml: personalizedVersion().mjml.replace('<mj-text>Hello', '<mj-text><a href="https://example.com/a">a</a> Hello') }));
    const context = { ...en, contact: { ...en.contact, firstName: 'Al\u00000\u0000ex' } };
    const { prepared, scanned, usedPrepared } = bothPaths(compiled, context);
    expect(usedPrepared).toBe(true);
    expect(contentOf(prepared.links)).toEqual(['https://example.com/a']);
    expect(prepared.html).toContain('Hello Al\ufffd0\ufffdex');
    expect(prepared).toEqual(scanned);
  });

  it('prepared links made with other untracked links than the caller gives are not used', async () => {
    const compiled = await compileTemplate(personalizedVersion());
    const rendered = renderEmail(compiled, en, { trackLinks: true });
    const email = { ...ref, locale: 'en' as Locale, html: rendered.html, text: rendered.text };
    // Untracking nothing: the scan tracks the preference and unsubscribe links too, as asked.
    const result = trackEmail({ ...email, untracked: [], prepared: rendered.preparedLinks! }, settings, now);
    expect(contentOf(result.links)).toEqual([en.links.preferences, en.links.unsubscribe]);
    expect(result).toEqual(trackEmail({ ...email, untracked: [] }, settings, now));
  });

  it('refuses `{% track %}` in a template: the compile adds it itself', async () => {
    const error = await compileTemplate(withText('{% track %}x{% endtrack %}')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateCompileError);
    expect((error as TemplateCompileError).failures.map((failure) => failure.message)).toContain('{% track %}: `track` is reserved: the compile puts it around links itself for click tracking (line 6 after the front matter)');
  });
});

describe('markTrackedHrefs and the track tag', () => {
  const engines = createRenderingEngines();
  const html = `<a title="{{ name }}" href="https://example.com/a?x=1&amp;y={{ name }}">A</a><a href='{{ url }}'>B</a><a href=https://example.com/c>C</a><a href="mailto:x@example.com">M</a>`;
  const scope = { name: `O'Neil & "Co"`, url: 'https://example.com/b' };

  it('wraps every value that can be a web link, and leaves the rest', () => {
    expect(markTrackedHrefs(html)).toBe(
      `<a title="{{ name }}" href={% track %}"https://example.com/a?x=1&amp;y={{ name }}"{% endtrack %}>A</a><a href={% track %}'{{ url }}'{% endtrack %}>B</a><a href={% track %}https://example.com/c{% endtrack %}>C</a><a href="mailto:x@example.com">M</a>`,
    );
  });

  it('renders byte-identical to the unwrapped HTML without a tracker', () => {
    const marked = markTrackedHrefs(html)!;
    expect(engines.html.parseAndRenderSync(marked, scope)).toBe(engines.html.parseAndRenderSync(html, scope));
  });

  it('with a tracker, records the decoded targets and gives back the rendered HTML', () => {
    const tracker = new LinkTracker([]);
    const tracked = engines.html.renderSync(engines.html.parse(markTrackedHrefs(html)!), scope, trackingRenderOptions(tracker)) as string;
    const resolved = tracker.resolve(tracked)!;
    expect(resolved.html).toBe(engines.html.parseAndRenderSync(html, scope));
    expect(resolved.prepared.links).toEqual([`https://example.com/a?x=1&y=O%27Neil%20&%20%22Co%22`, 'https://example.com/b', 'https://example.com/c']);
    expect(resolved.prepared.html).toBe('<a title="O&#39;Neil &amp; &#34;Co&#34;" href=\u00000\u0000>A</a><a href=\u00001\u0000>B</a><a href=\u00002\u0000>C</a><a href="mailto:x@example.com">M</a>');
  });
});
