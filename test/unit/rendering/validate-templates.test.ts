/**
 * `npm run validate`'s render check: every email of the config compiles and renders in every
 * locale its message lists, and a template mistake is reported on the template file, naming
 * the config that uses it, before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../../core/config/schema/common.ts';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import { listMessageTemplates } from '../../../core/rendering/message-templates.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { compile as compileHtmlToText } from 'html-to-text';
import { createRenderingEngines } from '../../../core/rendering/rendering-engines.ts';
import { TemplateCompiler } from '../../../core/rendering/template-compiler.ts';
import { validateTemplatesRender } from '../../../core/rendering/validate-templates.ts';
import { ExampleConfigSources, placesOf, problemsOf } from '../config/example-config-sources.ts';
import { configFrom } from './rendering-fixtures.ts';

const NEWSLETTER_JA = 'templates/monthly-newsletter/ja.mjml';

describe('validateTemplatesRender', () => {
  it('finds no problem in the shipped config', async () => {
    expect(await validateTemplatesRender(configFrom())).toEqual([]);
  });

  it('renders every shipped template in ja and en, with the webinar data of its messages, with nothing left unrendered', async () => {
    const config = configFrom();
    const stageOf = new Map(listMessageTemplates(config).map((message) => [message.templateId, message.webinar]));
    const asksSurvey = new Set(listMessageTemplates(config).filter((message) => message.surveyId !== undefined).map((message) => message.templateId));
    for (const [templateId, versions] of config.templates) {
      expect([...versions.keys()].sort(), templateId).toEqual([...LOCALES].sort());
      for (const [locale, version] of versions) {
        const email = renderEmail(await compileTemplate(version), sampleRenderContext(locale, stageOf.get(templateId) ?? 'any', undefined, undefined, asksSurvey.has(templateId) || !stageOf.has(templateId)));
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
      { file: NEWSLETTER_JA, path: 'body (html)', message: 'undefined variable contact.nickname (used by campaigns/monthly-newsletter.yaml)' },
    ]);
  });

  it('rejects a missing variable in the subject, and names every config file using the template', async () => {
    const sources = ExampleConfigSources.read()
      .editTemplate('templates/webinar-reminder/en.mjml', (text) => text.replace('subject: "Starts {{ webinar.startsIn }}: {{ webinar.title }}"', 'subject: "Starts {{ webinar.startsIn }}: {{ webinar.name }}"'))
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
      .editTemplate('templates/webinar-confirmation/en.mjml', (text) => text.replace('href="{{ joinUrl }}"', 'href="{{ webinar.recordingUrl }}"'));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems.map((problem) => `${problem.file}: ${problem.path}: ${problem.message}`)).toEqual([
      'templates/monthly-newsletter/ja.mjml: body (html): undefined variable webinar (used by campaigns/monthly-newsletter.yaml)',
      'templates/webinar-confirmation/en.mjml: body (html): undefined variable webinar.recordingUrl (used by campaigns/webinar-policy.yaml)',
    ]);
  });

  it('renders webinar emails for an online and an in-person session, so a join link or venue read without a guard fails', async () => {
    const sources = ExampleConfigSources.read()
      // Online sessions have no venue...
      .editTemplate('templates/webinar-confirmation/en.mjml', (text) => text.replace('<mj-text>{{ webinar.startsAtLocal }}</mj-text>', '<mj-text>{{ webinar.startsAtLocal }}, {{ webinar.venue }}</mj-text>'))
      // ...in-person ones no join link: `{% if webinar.joinUrl %}` fails there (strictVariables), the assigned guard does not.
      .editTemplate('templates/webinar-reminder/ja.mjml', (text) => text.replace('{% if joinUrl != blank %}', '{% if webinar.joinUrl %}'));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems.map((problem) => `${problem.file}: ${problem.path}: ${problem.message}`)).toEqual([
      'templates/webinar-confirmation/en.mjml: body (html): undefined variable webinar.venue (used by campaigns/webinar-policy.yaml)',
      'templates/webinar-reminder/ja.mjml: body (html): undefined variable webinar.joinUrl (used by campaigns/webinar-policy.yaml)',
    ]);
  });

  it('renders an invitation with invitation data only, and a follow-up variant with the ended webinar', async () => {
    const sources = ExampleConfigSources.read()
      // An invitation has a registration link, nothing to join or add to a calendar yet.
      .editTemplate('templates/webinar-invitation/en.mjml', (text) => text.replace('<mj-text>{{ webinar.startsAtLocal }}</mj-text>', '<mj-text>{{ webinar.startsAtLocal }} <a href="{{ webinar.calendarUrl }}">.ics</a></mj-text>'))
      .editTemplate('templates/webinar-left-early/ja.mjml', (text) => text.replace('{{ webinar.watchedMinutes }}', '{{ webinar.watchMinutes }}'));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems.map((problem) => `${problem.file}: ${problem.path}: ${problem.message}`)).toEqual([
      'templates/webinar-invitation/en.mjml: body (html): undefined variable webinar.calendarUrl (used by campaigns/webinar-invitation.yaml)',
      'templates/webinar-left-early/ja.mjml: body (html): undefined variable webinar.watchMinutes (used by campaigns/webinar-policy.yaml)',
    ]);
  });

  it('renders a template no message uses yet with every piece of webinar data a message can have', async () => {
    const draft = ExampleConfigSources.read()
      .text('templates/webinar-invitation/en.mjml')
      .replace('<mj-text>{{ webinar.startsAtLocal }}</mj-text>', '<mj-text>{{ webinar.startsAtLocal }} {{ webinar.recordingUrl }} {{ webinar.watchedMinutes }} {{ webinar.calendarUrl }}</mj-text>');
    const sources = ExampleConfigSources.read().addTemplate('webinar-draft', 'en', draft).addTemplate('webinar-draft', 'ja', ExampleConfigSources.read().text('templates/webinar-invitation/ja.mjml'));
    expect(await validateTemplatesRender(configFrom(sources))).toEqual([]);
  });

  it('rejects an unknown filter, a Liquid syntax error and an MJML error, each on its template file and part', async () => {
    const sources = ExampleConfigSources.read()
      .editTemplate('templates/adoption-welcome/en.mjml', (text) => text.replace('{{ contact.firstName }}{% endif %}"', '{{ contact.firstName | shout }}{% endif %}"'))
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
    // The line of the template file (front matter included), where the first </mj-text> was.
    const tips = ExampleConfigSources.read().text('templates/adoption-tips/ja.mjml');
    expect(problems.find((problem) => problem.file === 'templates/adoption-tips/ja.mjml')?.line).toBe(tips.split('\n').findIndex((line) => line.includes('</mj-text>')) + 1);
    expect(messageOf('templates/analytics-launch/en.mjml')).toMatch(/^MJML: <mj-button>: Attribute colour is illegal \(used by campaigns\/analytics-launch.yaml\)$/);
    expect(problems.find((problem) => problem.file === 'templates/analytics-launch/en.mjml')?.line).toBeGreaterThan(4);
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

  it('checks templates no message uses, and reports every problem instead of stopping at the first', async () => {
    const unused = ExampleConfigSources.read().text('templates/monthly-newsletter/en.mjml').replace('{{ contact.firstName }}', '{{ contact.nickname }}');
    const sources = ExampleConfigSources.read()
      .addTemplate('spring-promo', 'en', unused)
      .addTemplate('spring-promo', 'ja', ExampleConfigSources.read().text('templates/monthly-newsletter/ja.mjml'))
      // `increment` on the context used to change the caller's data and crash later templates.
      .editTemplate(NEWSLETTER_JA, (text) => text.replace('</mj-text>', '{% increment links %}</mj-text>'))
      .editTemplate('templates/webinar-thanks/en.mjml', (text) => text.replace('{{ webinar.recordingUrl }}', '{{ webinar.replayUrl }}'));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems.map((problem) => `${problem.file}: ${problem.path}: ${problem.message}`)).toEqual([
      'templates/monthly-newsletter/ja.mjml: body (html): undefined variable links.preferences (used by campaigns/monthly-newsletter.yaml)',
      'templates/spring-promo/en.mjml: body (html): undefined variable contact.nickname',
      'templates/webinar-thanks/en.mjml: body (html): undefined variable webinar.replayUrl (used by campaigns/webinar-policy.yaml)',
    ]);
  });

  it('renders each plan the config targets, so a mistake in a plan-specific branch is found', async () => {
    // The English sample contact is on the standard plan; only a professional one reaches this branch.
    const sources = ExampleConfigSources.read().editTemplate('templates/analytics-launch/en.mjml', (text) =>
      text.replace('</mj-text>', '{% if account.plan == "professional" %} {{ account.discountCode }}{% endif %}</mj-text>'),
    );
    expect(await validateTemplatesRender(configFrom(sources))).toEqual([
      { file: 'templates/analytics-launch/en.mjml', path: 'body (html)', message: 'undefined variable account.discountCode (used by campaigns/analytics-launch.yaml)' },
    ]);
  });

  it('reports a Liquid tag MJML would drop, on its template file', async () => {
    const sources = ExampleConfigSources.read().editTemplate('templates/monthly-newsletter/en.mjml', (text) => text.replace('  </mj-body>', '  {{ account.name }}\n  </mj-body>'));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('body');
    expect(problems[0]?.message).toMatch(/^\{\{ account\.name \}\} is lost in the MJML compile .* \(used by campaigns\/monthly-newsletter\.yaml\)$/);
    expect(problems[0]?.line).toBe(ExampleConfigSources.read().text('templates/monthly-newsletter/en.mjml').split('\n').findIndex((line) => line.includes('</mj-body>')) + 1);
  });

  it('fails a template without the postal address or the unsubscribe link, naming what is missing', async () => {
    const sources = ExampleConfigSources.read()
      .editTemplate('templates/monthly-newsletter/en.mjml', (text) => text.replace('{{ sender.organization }}, {{ sender.postalAddress }}', '{{ sender.organization }}'))
      .editTemplate(NEWSLETTER_JA, (text) => text.replace(' · <a href="{{ links.unsubscribe }}" style="color:#6b7280;">配信停止</a>', ''));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems.map((problem) => `${problem.file}: ${problem.path}: ${problem.message.replace(/ \(used by .*\)$/, '')}`)).toEqual([
      'templates/monthly-newsletter/en.mjml: body (legal): the html part does not show the sender’s postal address ({{ sender.postalAddress }}) required in every bulk email',
      'templates/monthly-newsletter/en.mjml: body (legal): the text part does not show the sender’s postal address ({{ sender.postalAddress }}) required in every bulk email',
      'templates/monthly-newsletter/ja.mjml: body (legal): the body has no link to {{ links.unsubscribe }}: every bulk email needs a visible way to opt out (CAN-SPAM; Japan’s Specified Electronic Mail Act)',
      'templates/monthly-newsletter/ja.mjml: body (legal): the text part has no unsubscribe link ({{ links.unsubscribe }})',
    ]);
  });

  it('fails a greeting that an empty name breaks (a bare 様, "Hello ,")', async () => {
    const sources = ExampleConfigSources.read()
      .editTemplate('templates/monthly-newsletter/en.mjml', (text) => text.replace('Hello{% if contact.firstName != blank %} {{ contact.firstName }}{% endif %},', 'Hello {{ contact.firstName }},'))
      .editTemplate(NEWSLETTER_JA, (text) => text.replace('{% if contact.lastName != blank %}{{ contact.lastName }} 様{% else %}ご担当者様{% endif %}', '{{ contact.lastName }} 様'));
    const problems = await validateTemplatesRender(configFrom(sources));
    expect(problems.map((problem) => `${problem.file}: ${problem.message}`)).toEqual([
      expect.stringMatching(/^templates\/monthly-newsletter\/en\.mjml: the html part reads ".*Hello , .*": a space before a comma .*with empty names/),
      expect.stringMatching(/^templates\/monthly-newsletter\/en\.mjml: the text part reads ".*Hello , .*": a space before a comma/),
      expect.stringMatching(/^templates\/monthly-newsletter\/ja\.mjml: the html part reads ".* 様 .*": a bare 様/),
    ]);
  });

  it('fails the text part when it does not say what the HTML says', async () => {
    // A converter that drops every table (all of MJML's layout): the HTML shows text the text part lacks.
    const engines = { ...createRenderingEngines(), plainText: compileHtmlToText({ selectors: [{ selector: 'table', format: 'skip' }] }) };
    const config = configFrom();
    const problems = await validateTemplatesRender(config, new TemplateCompiler(config.templates, engines));
    const newsletter = problems.find((problem) => problem.file === 'templates/monthly-newsletter/en.mjml' && problem.path === 'body (text)');
    expect(newsletter?.message).toMatch(/^the plain-text part lacks 'Example', which the HTML shows \(sample en contact 'Alex O'Neil' of 'Northwind Traders & Co\.' on plan 'standard'\): both parts must say the same/);
  });
});
