/**
 * The DEAR model in campaigns/scoring.yaml, as the team edits it: the shipped one is accepted,
 * and the mistakes a person makes (an input naming an undeclared metric, an input that is both a
 * metric and the engagement score, bands in the wrong order) are named with file, path and line.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../core/config/problems.ts';
import { ExampleConfigSources, placesOf, problemsOf } from '../config/example-config-sources.ts';

const SCORING = 'campaigns/scoring.yaml';

describe('health config', () => {
  it('ships a DEAR model whose every input is a declared metric, the engagement score or the NPS', () => {
    const result = ExampleConfigSources.read().build();
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const { health } = result.config.scoring;
    const declared = new Set(health.metrics);
    for (const dimension of ['deployment', 'engagement', 'adoption', 'roi'] as const) {
      expect(health[dimension].inputs.length).toBeGreaterThan(0);
      for (const input of health[dimension].inputs) {
        if (input.engagementScore === undefined && input.nps === undefined) expect(declared.has(input.metric as string)).toBe(true);
        if (input.per !== undefined) expect(declared.has(input.per)).toBe(true);
      }
    }
    expect(health.bands.healthy.minScore).toBeGreaterThan(health.bands.watch.minScore);
  });

  it('names an input whose metric is not declared, with the declared list, on its line', () => {
    const sources = ExampleConfigSources.read().edit(SCORING, '{ metric: key_feature_use, target: 50 }', '{ metric: key_features_used, target: 50 }');
    const [problem, ...others] = problemsOf(sources.build());
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ file: SCORING, path: 'health.adoption.inputs[1].metric', line: sources.lineOf(SCORING, 'key_features_used') });
    expect(problem?.message).toContain("unknown metric 'key_features_used': health.metrics declares seats_bought, seats_used");
  });

  it('refuses an input that is both a metric and the engagement score, a zero target, and bands in the wrong order', () => {
    const sources = ExampleConfigSources.read()
      .edit(SCORING, '{ engagementScore: account, target: 40 }', '{ engagementScore: account, metric: logins_30d, target: 40 }')
      .edit(SCORING, '{ metric: hours_saved, target: 40 }', '{ metric: hours_saved, target: 0 }')
      .edit(SCORING, 'watch: { minScore: 40 }', 'watch: { minScore: 80 }');
    const problems = problemsOf(sources.build());
    expect(placesOf(problems)).toEqual([`${SCORING}: health.bands.healthy.minScore`, `${SCORING}: health.engagement.inputs[0].metric`, `${SCORING}: health.roi.inputs[1].target`]);
    expect(problems.map((problem) => problem.message)).toEqual(
      expect.arrayContaining(['give exactly one of metric (with an optional per), engagementScore: account or nps: account', 'the target must be above 0, got 0', 'healthy must start above watch']),
    );
  });
});
