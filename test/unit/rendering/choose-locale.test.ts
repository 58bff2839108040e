/**
 * Which language a recipient gets: their own when the message is written in it and the template
 * has it, otherwise the message's fallbackLocale; and each version compiles once per process.
 */
import { describe, expect, it } from 'vitest';
import { chooseLocale } from '../../../core/rendering/choose-locale.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateCompiler, UnknownTemplateVersionError } from '../../../core/rendering/template-compiler.ts';
import { ExampleConfigSources } from '../config/example-config-sources.ts';
import { configFrom } from './rendering-fixtures.ts';

const both = new Set(['ja', 'en'] as const);

describe('chooseLocale', () => {
  it("uses the contact's locale when the message lists it and the template has it", () => {
    expect(chooseLocale('ja', { locales: ['ja', 'en'], fallbackLocale: 'en' }, both)).toBe('ja');
    expect(chooseLocale('en', { locales: ['ja', 'en'], fallbackLocale: 'ja' }, both)).toBe('en');
  });

  it('uses the fallbackLocale when the message is not written in the contact locale', () => {
    expect(chooseLocale('en', { locales: ['ja'], fallbackLocale: 'ja' }, both)).toBe('ja');
  });

  it('uses the fallbackLocale when the template lacks the contact locale', () => {
    expect(chooseLocale('en', { locales: ['ja', 'en'], fallbackLocale: 'ja' }, new Set(['ja'] as const))).toBe('ja');
  });
});

describe('TemplateCompiler', () => {
  it('sends an English contact the Japanese newsletter when the campaign is written only in Japanese', async () => {
    const sources = ExampleConfigSources.read().edit('campaigns/monthly-newsletter.yaml', 'locales: [ja, en]\nfallbackLocale: en', 'locales: [ja]\nfallbackLocale: ja');
    const config = configFrom(sources);
    const campaign = config.campaigns.find((candidate) => candidate.id === 'monthly-newsletter');
    if (!campaign) throw new Error('test setup: no monthly-newsletter campaign');
    const compiler = new TemplateCompiler(config.templates);
    const recipient = sampleRenderContext('en', 'none');
    const compiled = await compiler.compileFor(campaign.template, campaign, recipient.contact.locale);
    expect(compiled.file).toBe('templates/monthly-newsletter/ja.mjml');
    expect(renderEmail(compiled, recipient).subject).toBe('Northwind Traders & Co. 様 今月のお知らせ');
  });

  it('compiles each template version once, however many recipients and concurrent requests', async () => {
    const compiler = new TemplateCompiler(configFrom().templates);
    const first = await Promise.all([compiler.compile('monthly-newsletter', 'ja'), compiler.compile('monthly-newsletter', 'ja')]);
    const again = await compiler.compile('monthly-newsletter', 'ja');
    await compiler.compile('monthly-newsletter', 'en');
    expect(first[0]).toBe(first[1]);
    expect(again).toBe(first[0]);
    expect(compiler.size).toBe(2);
  });

  it('refuses a template version the config does not have', async () => {
    const compiler = new TemplateCompiler(configFrom().templates);
    await expect(compiler.compile('no-such-template', 'ja')).rejects.toThrow(UnknownTemplateVersionError);
  });
});
