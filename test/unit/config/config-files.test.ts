/**
 * Problems with whole files rather than fields: YAML that does not parse, a file of an unknown
 * kind, a singleton kind (scoring, senders, ...) that is missing or doubled, a template without
 * front matter. Each is reported with its file (and line where there is one), never thrown.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../core/config/problems.ts';
import { SINGLETON_KINDS } from '../../../core/config/schema/index.ts';
import { ExampleConfigSources, placesOf, problemsOf } from './example-config-sources.ts';

const NEWSLETTER = 'campaigns/monthly-newsletter.yaml';
const SCORING = 'campaigns/scoring.yaml';

const SINGLETON_FILES: Record<(typeof SINGLETON_KINDS)[number], string> = {
  senders: 'campaigns/senders.yaml',
  topics: 'campaigns/topics.yaml',
  products: 'campaigns/products.yaml',
  guardrails: 'campaigns/guardrails.yaml',
  scoring: 'campaigns/scoring.yaml',
  'csql-rules': 'campaigns/csql-rules.yaml',
};

describe('YAML syntax errors', () => {
  it('are reported with the file and the line, not thrown', () => {
    const sources = ExampleConfigSources.read().edit(NEWSLETTER, 'name: Monthly customer newsletter', 'name: Monthly: customer newsletter');
    expect(() => sources.build()).not.toThrow();
    const problems = problemsOf(sources.build());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: NEWSLETTER, path: '', line: sources.lineOf(NEWSLETTER, 'name: Monthly:') });
    expect(problems[0]?.message).toMatch(/^not valid YAML: /);
    expect(problems.map(formatProblem)[0]).toMatch(/^campaigns\/monthly-newsletter\.yaml: \(file\): not valid YAML: .* \(line 5\)$/);
  });

  it('point at the mis-indented line', () => {
    const sources = ExampleConfigSources.read().edit(NEWSLETTER, '  timezone: Asia/Tokyo', '   timezone: Asia/Tokyo');
    const problems = problemsOf(sources.build());
    expect(problems.map((problem) => [problem.file, problem.line])).toEqual([[NEWSLETTER, sources.lineOf(NEWSLETTER, 'timezone:')]]);
  });

  it('report a duplicated key on the line of the second one', () => {
    const sources = ExampleConfigSources.read().edit(NEWSLETTER, 'topic: product-news', 'topic: product-news\ntopic: tips');
    const problems = problemsOf(sources.build());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: NEWSLETTER, line: sources.lineOf(NEWSLETTER, 'topic: tips') });
  });

  it('do not stop the other files from being checked', () => {
    const sources = ExampleConfigSources.read()
      .edit(NEWSLETTER, 'name: Monthly customer newsletter', 'name: Monthly: customer newsletter')
      .edit('campaigns/analytics-launch.yaml', 'template: analytics-launch', 'template: analytics-lanch');
    const problems = problemsOf(sources.build());
    expect(placesOf(problems)).toEqual(['campaigns/analytics-launch.yaml: template', `${NEWSLETTER}: `]);
  });

  it('a file that is not a mapping is reported as such', () => {
    const sources = ExampleConfigSources.read().add('campaigns/notes.yaml', '- remember the newsletter\n- and the webinar\n');
    expect(problemsOf(sources.build()).map(formatProblem)).toEqual([
      'campaigns/notes.yaml: (file): expected a YAML mapping with a kind: field at the top level',
    ]);
  });
});

describe('kinds', () => {
  it('an unknown kind is reported at kind with the kinds that exist', () => {
    const sources = ExampleConfigSources.read().edit(NEWSLETTER, 'kind: campaign', 'kind: campain');
    const problems = problemsOf(sources.build());
    expect(placesOf(problems)).toEqual([`${NEWSLETTER}: kind`]);
    expect(problems[0]?.message).toBe(
      "unknown kind 'campain': expected one of campaign, sequence, webinar-policy, webinar, senders, topics, products, guardrails, scoring, csql-rules, attributes, survey",
    );
    expect(problems[0]?.line).toBe(sources.lineOf(NEWSLETTER, 'kind: campain'));
  });

  it.each(SINGLETON_KINDS)('a missing %s file is reported against the config folder', (kind) => {
    const sources = ExampleConfigSources.read().remove(SINGLETON_FILES[kind]);
    const problems = problemsOf(sources.build());
    expect(problems).toContainEqual({ file: 'campaigns', path: 'kind', message: `no file of kind '${kind}': the engine needs exactly one` });
    // Only senders/topics/scoring are referenced by other files; they may add reference problems, nothing else may.
    if (kind === 'guardrails' || kind === 'csql-rules') expect(problems).toHaveLength(1);
  });

  it('a scoring file that is present but invalid is reported for what is wrong, not as missing', () => {
    const sources = ExampleConfigSources.read().edit(SCORING, 'halfLife: 14d', 'halfLife: two weeks');
    const problems = problemsOf(sources.build());
    expect(problems.map(formatProblem)).toEqual([
      `${SCORING}: halfLife: expected a duration like 30m, 2h, 1d or 1w, got 'two weeks' (line ${sources.lineOf(SCORING, 'halfLife:')})`,
    ]);
  });

  it('refuses a half-life shorter than an hour: stored scores would be rebased more than once a day', () => {
    const sources = ExampleConfigSources.read().edit(SCORING, 'halfLife: 14d', 'halfLife: 30m');
    expect(problemsOf(sources.build()).map(formatProblem)).toEqual([
      `${SCORING}: halfLife: the half-life must be at least 1h: shorter ones rebase stored scores more than once a day (line ${sources.lineOf(SCORING, 'halfLife:')})`,
    ]);
  });

  // BUG (core/config/parse-documents.ts): when a file is not valid YAML its declared kind is not
  // recovered, so engine-config.ts reports "no file of kind 'scoring'" next to the syntax error
  // in campaigns/scoring.yaml, which is the misleading report its own comment means to avoid.
  // Remove `.fails` once fixed.
  it('a scoring file with a YAML syntax error is not also reported as missing', () => {
    const sources = ExampleConfigSources.read().edit(SCORING, 'halfLife: 14d', 'halfLife: 14d\nhalfLife: 7d');
    const problems = problemsOf(sources.build());
    expect(problems.map((problem) => problem.file)).toEqual([SCORING]);
  });

  it('a second scoring file is reported on the second file', () => {
    const sources = ExampleConfigSources.read();
    sources.add('campaigns/scoring-v2.yaml', sources.text(SCORING));
    const problems = problemsOf(sources.build());
    expect(problems).toEqual([
      {
        file: 'campaigns/scoring-v2.yaml',
        path: 'kind',
        message: `a second 'scoring' file: the engine needs exactly one (the first is ${SCORING})`,
        line: sources.lineOf('campaigns/scoring-v2.yaml', 'kind:'),
      },
    ]);
  });
});

describe('template files', () => {
  it('a template without front matter is reported on its file, and the campaign is not blamed twice', () => {
    const file = 'templates/monthly-newsletter/en.mjml';
    const sources = ExampleConfigSources.read().editTemplate(file, (text) => text.replace(/^---\n[\s\S]*?\n---\n/, ''));
    expect(problemsOf(sources.build()).map(formatProblem)).toEqual([
      `${file}: (file): missing front matter: start the file with ---, a subject: line, and ---`,
    ]);
  });

  it('an empty subject is reported at subject', () => {
    const file = 'templates/monthly-newsletter/ja.mjml';
    const sources = ExampleConfigSources.read().editTemplate(file, (text) => text.replace(/^subject: .*$/m, 'subject: ""'));
    expect(problemsOf(sources.build()).map(formatProblem)).toEqual([`${file}: subject: subject must not be empty`]);
  });

  it('a template file for an unknown locale is reported on that file', () => {
    const sources = ExampleConfigSources.read();
    sources.addTemplate('monthly-newsletter', 'fr', sources.text('templates/monthly-newsletter/en.mjml'));
    const problems = problemsOf(sources.build());
    expect(placesOf(problems)).toEqual(['templates/monthly-newsletter/fr.mjml: ']);
    expect(problems[0]?.message).toContain("got 'fr'");
  });
});
