/**
 * `npm run validate`'s render check: every email of the config compiles and renders in every
 * locale its message lists, and a template mistake is reported on the template file, naming
 * the config that uses it, before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../../core/config/schema/common.ts';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { validateTemplatesRender } from '../../../core/rendering/validate-templates.ts';
import { ExampleConfigSources, placesOf, problemsOf } from '../config/example-config-sources.ts';
import { configFrom } from './rendering-fixtures.ts';

const NEWSLETTER_JA = 'templates/monthly-newsletter/ja.mjml';

describe('validateTemplatesRender', () => {
  it('finds no problem in the shipped config', async () => {
    expect(await validateTemplatesRender(configFrom())).toEqual([]);
  });

  it('renders every shipped template in ja and en with nothing left unrendered', async () => {
    const config = configFrom();
    for (const [templateId, versions] of config.templates) {
      expect([...versions.keys()].sort(), templateId).toEqual([...LOCALES].sort());
      for (const [locale, version] of versions) {
        const email = renderEmail(await compileTemplate(version), sampleRenderContext(locale, 'ended'));
        const label = `${templateId}/${locale}`;
        expect(email.subject, label).not.toBe('');
        expect(email.text.length, label).toBeGreaterThan(50);
        for (const part of [email.subject, email.html, email.text]) expect(part, label).not.toMatch(/\{\{|\}\}|\{%|%\}/);
        expect(email.text, label).toContain('https://mail.example.com/u/sample-unsubscribe-token');
      }
    }
  });

  it('rejects a variable the recipient data does not have, naming the template file and the config using it', async () => {
    const sources = ExampleConfigSources.read().editTemplate(NEWSLETTER_JA, (text) => text.replace('{{ contact.lastName }} 様', '{{ contact.nickname }} 様'));
    expect(await validateTemplatesRender(configFrom(sources))).toEqual([
      { file: NEWSLETTER_JA, path: 'body', message: 'undefined variable contact.nickname (used by campaigns/monthly-newsletter.yaml)' },
    ]);
  });

  it('rejects a missing variable in the subject, and names every config file using the template', async () => {
    const sources = ExampleConfigSources.read()
      .editTemplate('templates/webinar-reminder/en.mjml', (text) => text.replace('subject: "Starting soon: {{ webinar.title }}"', 'subject: "Starting soon: {{ webinar.name }}"'))
      .editTemplate('templates/monthly-newsletter/en.mjml', (text) => text.replace('subject: "{{ account.name }}', 'subject: "{{ account.title }}'))
      .edit('campaigns/analytics-launch.yaml', 'template: analytics-launch', 'template: monthly-newsletter');
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems).toEqual([
      {
        file: 'templates/monthly-newsletter/en.mjml',
        path: 'subject',
        message: 'undefined variable account.title (used by campaigns/analytics-launch.yaml, campaigns/monthly-newsletter.yaml)',
      },
      // Used by both reminders of one policy: reported once.
      { file: 'templates/webinar-reminder/en.mjml', path: 'subject', message: 'undefined variable webinar.name (used by campaigns/webinar-policy.yaml)' },
    ]);
  });

  it('rejects webinar data in an email sent when there is none: a newsletter, or a recording link before the webinar', async () => {
    const sources = ExampleConfigSources.read()
      .editTemplate(NEWSLETTER_JA, (text) => text.replace('{{ contact.lastName }} 様', '{{ contact.lastName }} 様 {{ webinar.title }}'))
      .editTemplate('templates/webinar-confirmation/en.mjml', (text) => text.replace('{{ webinar.joinUrl }}', '{{ webinar.recordingUrl }}'));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems.map((problem) => `${problem.file}: ${problem.path}: ${problem.message}`)).toEqual([
      'templates/monthly-newsletter/ja.mjml: body: undefined variable webinar (used by campaigns/monthly-newsletter.yaml)',
      'templates/webinar-confirmation/en.mjml: body: undefined variable webinar.recordingUrl (used by campaigns/webinar-policy.yaml)',
    ]);
  });

  it('rejects an unknown filter, a Liquid syntax error and an MJML error, each on its template file and part', async () => {
    const sources = ExampleConfigSources.read()
      .editTemplate('templates/adoption-welcome/en.mjml', (text) => text.replace('{{ contact.firstName }}"', '{{ contact.firstName | shout }}"'))
      .editTemplate('templates/adoption-tips/ja.mjml', (text) => text.replace('</mj-text>', '{% if account.plan == "standard" %}</mj-text>'))
      .editTemplate('templates/analytics-launch/en.mjml', (text) => text.replace('<mj-button ', '<mj-button colour="red" '));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(placesOf(problems)).toEqual([
      'templates/adoption-tips/ja.mjml: body',
      'templates/adoption-welcome/en.mjml: subject',
      'templates/analytics-launch/en.mjml: body',
    ]);
    const messageOf = (file: string) => problems.find((problem) => problem.file === file)?.message;
    expect(messageOf('templates/adoption-welcome/en.mjml')).toBe('undefined filter: shout (used by campaigns/adoption-nurture.yaml)');
    expect(messageOf('templates/adoption-tips/ja.mjml')).toBe('tag {% if account.plan == "standard" %} not closed (used by campaigns/adoption-nurture.yaml)');
    expect(messageOf('templates/analytics-launch/en.mjml')).toMatch(/^MJML: <mj-button>: Attribute colour is illegal \(line \d+ after the front matter\) \(used by campaigns\/analytics-launch.yaml\)$/);
  });

  it('reports a locale listed by a message but missing from its template, as buildEngineConfig does', async () => {
    const sources = ExampleConfigSources.read().remove('templates/monthly-newsletter/en.mjml');
    // The config builder rejects it...
    expect(problemsOf(sources.build()).map((problem) => `${problem.file}: ${problem.path}: ${problem.message}`)).toEqual([
      "campaigns/monthly-newsletter.yaml: template: template 'monthly-newsletter' has no en version (templates/monthly-newsletter/en.mjml), but en is in locales",
    ]);
    // ...and so does the render check, given a config whose template lost that version.
    const config = configFrom();
    config.templates.get('monthly-newsletter')?.delete('en');
    expect(await validateTemplatesRender(config)).toEqual([
      { file: 'campaigns/monthly-newsletter.yaml', path: 'template', message: "template 'monthly-newsletter' has no en version, but en is in locales" },
    ]);
  });
});
