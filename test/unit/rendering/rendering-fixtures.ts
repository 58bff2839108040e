/**
 * Shared setup for the rendering tests: the shipped config built in memory (so a test can
 * break a template the way an author would), and small in-memory template versions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EngineConfig } from '../../../core/config/engine-config.ts';
import { formatProblem } from '../../../core/config/problems.ts';
import type { Locale } from '../../../core/config/schema/common.ts';
import { parseTemplateSource, type TemplateVersion } from '../../../core/config/template-source.ts';
import type { CompilableVersion } from '../../../core/rendering/compile-template.ts';
import { ExampleConfigSources } from '../config/example-config-sources.ts';

/** The config built from `sources` (default: the shipped example); fails the test if rejected. */
export function configFrom(sources: ExampleConfigSources = ExampleConfigSources.read()): EngineConfig {
  const result = sources.build();
  if (!result.ok) throw new Error(`test setup: config rejected:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.config;
}

export function versionOf(config: EngineConfig, templateId: string, locale: Locale): TemplateVersion {
  const version = config.templates.get(templateId)?.get(locale);
  if (!version) throw new Error(`test setup: no template ${templateId}/${locale}`);
  return version;
}

/** A one-section template whose subject, preheader, body text and attributes all use contact data. */
export function personalizedVersion(overrides: Partial<TemplateVersion> = {}): TemplateVersion {
  return {
    templateId: 'personalized',
    locale: 'en',
    file: 'templates/personalized/en.mjml',
    subject: 'Hi {{ contact.firstName }} {{ contact.lastName }} at {{ account.name }}',
    preheader: 'News for {{ contact.firstName }}',
    mjml: `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-image src="https://cdn.example.com/logo.png" alt="Example logo" />
        <mj-text>Hello {{ contact.firstName }} {{ contact.lastName }} of {{ account.name }} ({{ account.plan }})</mj-text>
        <mj-text><a title="{{ contact.lastName }}" href="{{ links.preferences }}">Email preferences</a></mj-text>
        <mj-button href="{{ links.unsubscribe }}">Unsubscribe</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`,
    ...overrides,
  };
}

/**
 * A template from test/fixtures/templates/<name>.mjml, parsed as the config loader parses one,
 * with `bodyStartLine` (the file line its MJML starts on) so problems carry file line numbers.
 */
export function fixtureVersion(name: string, locale: Locale = 'en'): CompilableVersion {
  const file = `test/fixtures/templates/${name}.mjml`;
  const text = readFileSync(fileURLToPath(new URL(`../../fixtures/templates/${name}.mjml`, import.meta.url)), 'utf8');
  const parsed = parseTemplateSource({ file, templateId: name, locale, text });
  if (!parsed.version) throw new Error(`test setup: ${file}: ${parsed.problems.map((problem) => problem.message).join('; ')}`);
  const frontMatterLines = text.slice(0, text.length - parsed.version.mjml.length).split('\n').length - 1;
  return { ...parsed.version, bodyStartLine: frontMatterLines + 1 };
}
