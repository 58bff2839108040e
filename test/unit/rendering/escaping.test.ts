/**
 * Escaping once: HTML output is escaped exactly once (also after `escape`, `escape_once` and
 * `capture`), the subject and the text part never carry HTML entities, and `| raw` on customer
 * data is refused because it would let imported text inject markup.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateCompileError } from '../../../core/rendering/template-failure.ts';
import { personalizedVersion } from './rendering-fixtures.ts';

// Alex O'Neil at "Northwind Traders & Co.": a quote and an ampersand.
const en = sampleRenderContext('en', 'none');

const withBody = (text: string, subject = 'Hi') =>
  personalizedVersion({ subject, mjml: personalizedVersion().mjml.replace(/<mj-text>Hello[^\n]*<\/mj-text>/, `<mj-text>${text}</mj-text>`) });

describe('escaping', () => {
  it('escapes `escape`, `escape_once` and captured output once in the HTML', async () => {
    const version = withBody('A:{{ contact.lastName | escape }} B:{{ account.name | escape_once }} C:{% capture who %}{{ contact.lastName }}{% endcapture %}{{ who }} D:{{ contact.lastName }}');
    const email = renderEmail(await compileTemplate(version), en);
    expect(email.html).toContain('A:O&#39;Neil B:Northwind Traders &amp; Co. C:O&#39;Neil D:O&#39;Neil');
    expect(email.text).toContain("A:O'Neil B:Northwind Traders & Co. C:O'Neil D:O'Neil");
  });

  it('escapes `{% echo %}` output once too, `escape` or not', async () => {
    const version = withBody('E:{% echo contact.lastName | escape %} F:{% echo account.name %}');
    const email = renderEmail(await compileTemplate(version), en);
    expect(email.html).toContain('E:O&#39;Neil F:Northwind Traders &amp; Co.');
  });

  it('still escapes data that only looks escaped', async () => {
    const context = { ...en, account: { ...en.account, name: 'R&amp;D <b>' } };
    const email = renderEmail(await compileTemplate(withBody('X:{{ account.name }} Y:{{ account.name | escape }}')), context);
    expect(email.html).toContain('X:R&amp;amp;D &lt;b&gt; Y:R&amp;amp;D &lt;b&gt;');
    expect(email.text).toContain('X:R&amp;D <b> Y:R&amp;D <b>');
  });

  it('never HTML-escapes the subject, `escape` included', async () => {
    const email = renderEmail(await compileTemplate(withBody('Hi', '{{ account.name | escape }} / {{ contact.lastName | escape_once }}')), en);
    expect(email.subject).toBe("Northwind Traders & Co. / O'Neil");
  });

  it('refuses `| raw` on contact or account data, directly or through a variable, with the line', async () => {
    const version = withBody('{{ contact.firstName | raw }} {% assign company = account.name | upcase %}{{ company | raw }} {{ "<b>ok</b>" | raw }}');
    const error = await compileTemplate(version).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateCompileError);
    expect((error as TemplateCompileError).failures.map((failure) => failure.message)).toEqual([
      '{{ contact.firstName | raw }}: `raw` on customer data would let imported text inject HTML; remove `| raw` (output is escaped for you) (line 6 after the front matter)',
      '{{ company | raw }}: `raw` on customer data would let imported text inject HTML; remove `| raw` (output is escaped for you) (line 6 after the front matter)',
    ]);
  });
});
