/**
 * Rendering one recipient: what ends up in the subject, the HTML and the plain-text part, and
 * that a template compiled once renders every recipient exactly as a fresh compile would.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { renderCompilingEach, renderPrecompiled, sampleRecipients } from '../../../core/rendering/render-timing.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateCompileError, TemplateRenderError } from '../../../core/rendering/template-failure.ts';
import { configFrom, personalizedVersion, versionOf } from './rendering-fixtures.ts';

const en = sampleRenderContext('en', 'none');

describe('renderEmail', () => {
  it('renders many recipients from one compile exactly as compiling for each recipient', async () => {
    const version = versionOf(configFrom(), 'monthly-newsletter', 'en');
    const recipients = sampleRecipients(5, 'en');
    const precompiled = await renderPrecompiled(version, recipients);
    const compiledEach = await renderCompilingEach(version, recipients);
    expect(precompiled).toEqual(compiledEach);
    // The recipients really differ, so equal output is not equal-by-accident.
    expect(new Set(precompiled.map((email) => email.html)).size).toBe(5);
    expect(precompiled[3]?.html).toContain(recipients[3]?.links.unsubscribe);
  });

  it('fills in the subject, preheader and body for the recipient', async () => {
    const email = renderEmail(await compileTemplate(versionOf(configFrom(), 'monthly-newsletter', 'ja')), sampleRenderContext('ja', 'none'));
    expect(email.subject).toBe('株式会社サンプル商事 様 今月のお知らせ');
    expect(email.preheader).toBe('新機能・活用のヒント・ウェビナーのご案内');
    expect(email.html).toContain('山田 様');
    expect(email.html).toContain('href="https://mail.example.com/u/sample-unsubscribe-token"');
    expect(email.html).not.toMatch(/\{\{|\{%/);
  });

  it('puts the preheader hidden at the top of the HTML body, and not in the plain text', async () => {
    const email = renderEmail(await compileTemplate(personalizedVersion()), en);
    const body = email.html.slice(email.html.indexOf('<body'));
    expect(body).toMatch(/^<body[^>]*>\s*<div style="display:none;[^"]*">News for Alex<\/div>/);
    expect(email.text).not.toContain('News for');
  });

  it('HTML-escapes personalization, so a <script> in a first name is shown as text', async () => {
    const context = { ...en, contact: { ...en.contact, firstName: '<script>alert("x")</script>' } };
    const email = renderEmail(await compileTemplate(personalizedVersion()), context);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Hello &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;');
    expect(email.text).toContain('Hello <script>alert("x")</script>');
    // The subject is a header, not HTML: shown as typed, not as &lt;script&gt;.
    expect(email.subject).toBe(`Hi <script>alert("x")</script> O'Neil at Northwind Traders & Co.`);
  });

  it('escapes quotes inside attributes, so a name cannot add attributes to a link', async () => {
    const context = { ...en, contact: { ...en.contact, lastName: '" onmouseover="alert(1)' } };
    const email = renderEmail(await compileTemplate(personalizedVersion()), context);
    expect(email.html).toContain('title="&#34; onmouseover=&#34;alert(1)"');
    expect(email.html).not.toContain('onmouseover="');
  });

  it('keeps CR/LF from a name out of the subject, so no header can be injected', async () => {
    const context = { ...en, contact: { ...en.contact, lastName: 'Smith\r\nBcc: everyone@example.com\n\n<b>' } };
    const email = renderEmail(await compileTemplate(personalizedVersion()), context);
    expect(email.subject).toBe("Hi Alex Smith Bcc: everyone@example.com <b> at Northwind Traders & Co.");
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('generates a plain-text part with the text and each link as `text [url]`, without images', async () => {
    const email = renderEmail(await compileTemplate(personalizedVersion()), en);
    expect(email.text).toContain("Hello Alex O'Neil of Northwind Traders & Co. (standard)");
    expect(email.text).toContain('Email preferences [https://mail.example.com/p/sample-preferences-token]');
    expect(email.text).toContain('Unsubscribe [https://mail.example.com/u/sample-unsubscribe-token]');
    expect(email.text).not.toContain('logo');
    expect(email.text).not.toMatch(/<[a-z]/i);
  });

  it('adds one-click unsubscribe headers (RFC 8058) for the recipient', async () => {
    const email = renderEmail(await compileTemplate(personalizedVersion()), en);
    expect(email.headers).toEqual({
      'List-Unsubscribe': '<https://mail.example.com/u/sample-unsubscribe-token>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('fails the render, naming file and variable, when the recipient lacks a variable the template uses', async () => {
    const compiled = await compileTemplate(versionOf(configFrom(), 'webinar-thanks', 'en'));
    const render = () => renderEmail(compiled, sampleRenderContext('en', 'upcoming'));
    expect(render).toThrow(TemplateRenderError);
    expect(render).toThrow('templates/webinar-thanks/en.mjml: body (html): undefined variable webinar.recordingUrl');
  });

  it('refuses include/render: a template cannot read other files', async () => {
    const compiled = await compileTemplate(personalizedVersion({ subject: `{% include 'secrets' %}` }));
    expect(() => renderEmail(compiled, en)).toThrow(/subject: "secrets": include, render and layout are not supported/);
  });

  it('reports every compile problem of a template at once: subject syntax, unknown filter, MJML', async () => {
    const broken = personalizedVersion({
      subject: 'Hi {% if contact.firstName %}',
      preheader: '{{ account.name | shout }}',
      mjml: personalizedVersion().mjml.replace('<mj-button ', '<mj-button colour="red" '),
    });
    const error = await compileTemplate(broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateCompileError);
    const failures = (error as TemplateCompileError).failures.map((failure) => `${failure.part}: ${failure.message}`);
    expect(failures).toEqual([
      'subject: tag {% if contact.firstName %} not closed',
      'preheader: undefined filter: shout',
      'body: MJML: <mj-button>: Attribute colour is illegal (line 8 after the front matter)',
    ]);
  });
});
