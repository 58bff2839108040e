/**
 * A person editing the team's YAML makes several mistakes at once. One run of validation
 * must name every one of them with the file, the dotted field path and the line, so they
 * can all be fixed before the next run. The sources are the shipped example, altered.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, type ConfigProblem } from '../../../core/config/problems.ts';
import { ExampleConfigSources, placesOf, problemsOf } from './example-config-sources.ts';

const NEWSLETTER = 'campaigns/monthly-newsletter.yaml';
const LAUNCH = 'campaigns/analytics-launch.yaml';
const LAUNCH_COPY = 'campaigns/analytics-launch-copy.yaml';
const SEQUENCE = 'campaigns/adoption-nurture.yaml';
const WEBINARS = 'campaigns/webinar-policy.yaml';
const SCORING = 'campaigns/scoring.yaml';

interface ExpectedProblem {
  file: string;
  path: string;
  /** Text the message must contain. */
  says: string | RegExp;
  /** Text on the line the problem must point at. */
  onLineWith: string;
}

function expectProblems(sources: ExampleConfigSources, problems: readonly ConfigProblem[], expected: readonly ExpectedProblem[]): void {
  // Exactly these places: nothing missing, nothing extra (no duplicate or misleading reports).
  expect(placesOf(problems)).toEqual(expected.map((problem) => `${problem.file}: ${problem.path}`).sort());
  for (const wanted of expected) {
    const found = problems.find((problem) => problem.file === wanted.file && problem.path === wanted.path);
    expect(found?.message, `${wanted.file}: ${wanted.path}`).toMatch(wanted.says);
    expect(found?.line, `line of ${wanted.file}: ${wanted.path}`).toBe(sources.lineOf(wanted.file, wanted.onLineWith));
  }
}

/** Ten different mistakes spread over six files, none of which hides another. */
function configWithManyMistakes(): ExampleConfigSources {
  const sources = ExampleConfigSources.read();
  // Someone copies the launch campaign to start a new one and forgets to change its id.
  sources.add(LAUNCH_COPY, sources.text(LAUNCH));
  return sources
    .edit(NEWSLETTER, 'cron: "0 10 2 * *"', 'cron: "61 10 2 * *"')
    .edit(NEWSLETTER, '  tiers: [tier2, tier3]', '  tier: [tier2, tier3]')
    .edit(LAUNCH, 'template: analytics-launch', 'template: analytics-lanch')
    .edit(LAUNCH, 'locales: [ja, en]', 'locales: [en]')
    .edit(SCORING, 'click: 3', 'click: -3')
    .edit(WEBINARS, 'delay: 2h', 'delay: 2 hours')
    .edit(SEQUENCE, 'sender: customer-marketing', 'sender: customer-marketting')
    .edit(SEQUENCE, 'when: { opened: welcome }', 'when: { opened: nudge }')
    .remove('templates/analytics-launch/ja.mjml');
}

describe('a config with many mistakes', () => {
  it('reports every mistake in one run, each with file, dotted path and line', () => {
    const sources = configWithManyMistakes();
    const problems = problemsOf(sources.build());
    expectProblems(sources, problems, [
      { file: NEWSLETTER, path: 'schedule.cron', says: /invalid cron '61 10 2 \* \*'.*minute/, onLineWith: 'cron:' },
      { file: NEWSLETTER, path: 'audience.tier', says: "unknown field 'tier'", onLineWith: 'tier:' },
      { file: LAUNCH, path: 'template', says: "unknown template 'analytics-lanch'", onLineWith: 'template:' },
      { file: LAUNCH, path: 'fallbackLocale', says: "fallbackLocale 'ja' is not one of locales (en)", onLineWith: 'fallbackLocale:' },
      { file: LAUNCH_COPY, path: 'id', says: `id 'analytics-launch' is already used by ${LAUNCH}`, onLineWith: 'id:' },
      {
        file: LAUNCH_COPY,
        path: 'template',
        says: "template 'analytics-launch' has no ja version (templates/analytics-launch/ja.mjml)",
        onLineWith: 'template:',
      },
      { file: SCORING, path: 'weights.click', says: 'weights must be 0 or more, got -3', onLineWith: 'click:' },
      { file: WEBINARS, path: 'followUps.delay', says: "expected a duration like 30m, 2h, 1d or 1w, got '2 hours'", onLineWith: 'delay:' },
      { file: SEQUENCE, path: 'sender', says: "unknown sender 'customer-marketting'", onLineWith: 'sender:' },
      { file: SEQUENCE, path: 'steps[1].when.opened', says: "'nudge' is not an earlier step", onLineWith: 'opened: nudge' },
    ]);
  });

  it('prints each problem as `file: path: message (line N)`', () => {
    const problems = problemsOf(configWithManyMistakes().build());
    const printed = problems.map(formatProblem);
    expect(printed).toContain(`${SCORING}: weights.click: weights must be 0 or more, got -3 (line 8)`);
    expect(printed).toContain(`${WEBINARS}: followUps.delay: expected a duration like 30m, 2h, 1d or 1w, got '2 hours' (line 17)`);
    expect(printed.find((line) => line.startsWith(`${NEWSLETTER}: schedule.cron: invalid cron '61 10 2 * *'`))).toMatch(/ \(line 12\)$/);
  });

  it('reports reference mistakes that need the other files to be valid: bands, topics, step ids, step waits', () => {
    const sources = ExampleConfigSources.read()
      .edit(LAUNCH, 'engagementBands: [warm, hot]', 'engagementBands: [warm, hott]')
      .edit(WEBINARS, 'topic: webinars', 'topic: webinar')
      .edit(SEQUENCE, 'when: { notOpened: welcome }', 'when: { notOpened: welcom }')
      .edit('campaigns/monthly-newsletter.yaml', 'sender: customer-marketing', 'sender: events');
    const problems = problemsOf(sources.build());
    expectProblems(sources, problems, [
      {
        file: LAUNCH,
        path: 'audience.engagementBands[1]',
        says: "unknown engagement band 'hott': scoring defines cold, warm, hot",
        onLineWith: 'engagementBands:',
      },
      { file: WEBINARS, path: 'topic', says: "unknown topic 'webinar': declared topics are product-news, tips, webinars", onLineWith: 'topic:' },
      { file: SEQUENCE, path: 'steps[2].when.notOpened', says: "'welcom' is not an earlier step", onLineWith: 'notOpened: welcom' },
    ]);
  });

  it('reports products a segment or a CSQL rule names that the products file does not declare', () => {
    const sources = ExampleConfigSources.read()
      .edit(LAUNCH, 'productsNotOwned: [analytics]', 'productsNotOwned: [analytic]')
      .edit('campaigns/csql-rules.yaml', 'productsNotOwned: [analytics]', 'productsNotOwned: [analytics, crm]');
    const problems = problemsOf(sources.build());
    expectProblems(sources, problems, [
      { file: LAUNCH, path: 'audience.productsNotOwned[0]', says: "unknown product 'analytic': declared products are core, analytics, automation, integrations", onLineWith: 'productsNotOwned:' },
      { file: 'campaigns/csql-rules.yaml', path: 'rules[1].productsNotOwned[1]', says: "unknown product 'crm': declared products are core, analytics, automation, integrations", onLineWith: 'productsNotOwned:' },
    ]);
  });

  it('reports a bad wait in a sequence step at steps[N].wait', () => {
    const sources = ExampleConfigSources.read().edit(SEQUENCE, 'wait: 3d', 'wait: 2 hours');
    const problems = problemsOf(sources.build());
    expectProblems(sources, problems, [
      { file: SEQUENCE, path: 'steps[1].wait', says: "expected a duration like 30m, 2h, 1d or 1w, got '2 hours'", onLineWith: 'wait: 2 hours' },
    ]);
  });

  it('reports a template locale file that is broken once, not also as missing', () => {
    const sources = ExampleConfigSources.read().editTemplate('templates/adoption-tips/ja.mjml', (text) => text.replace(/^---\n[\s\S]*?\n---\n/, ''));
    const problems = problemsOf(sources.build());
    expect(problems.map(formatProblem)).toEqual([
      'templates/adoption-tips/ja.mjml: (file): missing front matter: start the file with ---, a subject: line, and ---',
    ]);
  });

  // BUG (core/config/engine-config.ts, hasBrokenVersion): `problem.file.endsWith('tips/ja.mjml')` also
  // matches templates/adoption-tips/ja.mjml, so a broken adoption-tips/ja.mjml hides that the
  // template `tips` has no ja file at all. Remove `.fails` once fixed.
  it('a broken template file does not hide a missing locale of a template whose id is a suffix of its id', () => {
    const sources = ExampleConfigSources.read()
      .editTemplate('templates/adoption-tips/ja.mjml', (text) => text.replace(/^---\n[\s\S]*?\n---\n/, ''))
      .addTemplate('tips', 'en', ExampleConfigSources.read().text('templates/adoption-tips/en.mjml'))
      .edit(NEWSLETTER, 'template: monthly-newsletter', 'template: tips');
    const problems = problemsOf(sources.build());
    expect(placesOf(problems)).toEqual(['campaigns/monthly-newsletter.yaml: template', 'templates/adoption-tips/ja.mjml: '].sort());
  });

  // GAP (core/config/engine-config.ts): cross-file checks skip a reference whose target file failed
  // schema validation, so a negative weight in scoring.yaml hides an unknown band in a campaign
  // until the next run. Remove `.fails` once the bands of a partly invalid scoring file are used.
  it('a mistake in scoring.yaml does not hide an unknown engagement band in a campaign', () => {
    const sources = ExampleConfigSources.read()
      .edit(SCORING, 'click: 3', 'click: -3')
      .edit(LAUNCH, 'engagementBands: [warm, hot]', 'engagementBands: [warm, hott]');
    const problems = problemsOf(sources.build());
    expect(placesOf(problems)).toEqual([`${LAUNCH}: audience.engagementBands[1]`, `${SCORING}: weights.click`]);
  });

  // BUG (core/config/parse-documents.ts): an unknown field is reported on the line where its
  // enclosing mapping starts, not on the misspelled key, so in a long block the line misleads.
  // Remove `.fails` once the line points at the key.
  it('points an unknown field at the line of the misspelled key', () => {
    const sources = ExampleConfigSources.read().edit(NEWSLETTER, '  engagementBands: [cold, warm, hot]', '  engagementBand: [cold, warm, hot]');
    const [problem] = problemsOf(sources.build());
    expect(problem?.message).toContain("unknown field 'engagementBand'");
    expect(problem?.line).toBe(sources.lineOf(NEWSLETTER, 'engagementBand:'));
  });
});
