/**
 * The survey config kind and the `survey:` field of campaigns and sequence steps, as the team edits
 * them: the shipped survey campaign validates, and each mistake is reported with its file, path and
 * line. The NPS health input is checked too.
 */
import { describe, expect, it } from 'vitest';
import { healthSchema } from '../../../core/config/schema/scoring.ts';
import { ExampleConfigSources, problemsOf } from '../config/example-config-sources.ts';

describe('survey config', () => {
  it('ships an NPS survey asked by the nps-survey campaign, and an NPS health input', () => {
    const result = ExampleConfigSources.read().build();
    if (!result.ok) throw new Error(result.problems.map((problem) => `${problem.file}: ${problem.path}: ${problem.message}`).join('\n'));
    const survey = result.config.surveys.find((candidate) => candidate.id === 'nps-2026-h2');
    expect(survey).toMatchObject({ type: 'nps', comment: { enabled: true } });
    expect(result.config.campaigns.find((campaign) => campaign.id === 'nps-survey')?.survey).toBe('nps-2026-h2');
    expect(result.config.scoring.health.engagement.inputs.some((input) => input.nps === 'account')).toBe(true);
    expect(result.config.scoring.weights.surveyAnswered).toBeGreaterThan(0);
  });

  it('names a campaign asking an unknown survey, with the line', () => {
    const sources = ExampleConfigSources.read().edit('campaigns/nps-survey.yaml', 'survey: nps-2026-h2', 'survey: nps-2026-h3');
    const problems = problemsOf(sources.build());
    expect(problems).toContainEqual({ file: 'campaigns/nps-survey.yaml', path: 'survey', message: "unknown survey 'nps-2026-h3': declared surveys are nps-2026-h2", line: sources.lineOf('campaigns/nps-survey.yaml', 'survey: nps-2026-h3') });
  });

  it('refuses a survey without its English question, a type other than nps and a closesAt without an offset', () => {
    const sources = ExampleConfigSources.read()
      .edit('campaigns/nps-2026-h2.yaml', '  en: How likely are you to recommend Example to a friend or colleague?\n', '')
      .edit('campaigns/nps-2026-h2.yaml', 'type: nps', 'type: csat')
      .edit('campaigns/nps-2026-h2.yaml', 'closesAt: "2027-02-28T23:59:59+09:00"', 'closesAt: "2027-02-28"');
    const problems = problemsOf(sources.build()).filter((problem) => problem.file === 'campaigns/nps-2026-h2.yaml');
    const byPath = new Map(problems.map((problem) => [problem.path, problem.message]));
    expect(byPath.get('question.en')).toBe('is required');
    expect(byPath.get('type')).toMatch(/expected type 'nps'.*got 'csat'/);
    expect(byPath.get('closesAt')).toMatch(/ISO-8601 time with an offset.*got '2027-02-28'/);
  });

  it('refuses two surveys with one id', () => {
    const sources = ExampleConfigSources.read();
    sources.add('campaigns/nps-copy.yaml', sources.text('campaigns/nps-2026-h2.yaml'));
    expect(problemsOf(sources.build())).toContainEqual(expect.objectContaining({ file: 'campaigns/nps-copy.yaml', path: 'id', message: "survey id 'nps-2026-h2' is already used by campaigns/nps-2026-h2.yaml" }));
  });
});

describe('NPS health input', () => {
  const model = (input: Record<string, unknown>) =>
    healthSchema.safeParse({
      metrics: ['logins_30d'],
      deployment: { weight: 1, inputs: [{ metric: 'logins_30d', target: 1 }] },
      engagement: { weight: 1, inputs: [input] },
      adoption: { weight: 1, inputs: [{ metric: 'logins_30d', target: 1 }] },
      roi: { weight: 1, inputs: [{ metric: 'logins_30d', target: 1 }] },
      bands: { healthy: { minScore: 70 }, watch: { minScore: 40 } },
    });
  const messages = (input: Record<string, unknown>) => {
    const result = model(input);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('takes nps: account with a target up to 100, and nothing mixed with it', () => {
    expect(model({ nps: 'account', target: 30 }).success).toBe(true);
    expect(messages({ nps: 'account', target: 150 })).toEqual(['engagement.inputs.0.target: an NPS is at most 100: a target of 150 is never reached (e.g. 30)']);
    expect(messages({ nps: 'account', engagementScore: 'account', target: 30 })).toEqual(['engagement.inputs.0.metric: give exactly one of metric (with an optional per), engagementScore: account or nps: account']);
  });
});
