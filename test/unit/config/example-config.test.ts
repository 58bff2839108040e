/**
 * The config the repo ships (campaigns/ and templates/) is what a new team copies: it must load,
 * and it must show every kind of document and both languages, or it stops being an example.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfigLocation, loadConfigDirectory } from '../../../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../../../core/config/engine-config.ts';
import { formatProblem } from '../../../core/config/problems.ts';
import { CONFIG_KINDS, LOCALES } from '../../../core/config/schema/index.ts';
import { ExampleConfigSources, REPO_ROOT } from './example-config-sources.ts';

async function loadShippedConfig(): Promise<EngineConfig> {
  const result = await loadConfigDirectory(defaultConfigLocation(REPO_ROOT));
  if (!result.ok) throw new Error(`shipped config rejected:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.config;
}

describe('the shipped example config', () => {
  it('loads from campaigns/ and templates/ with no problems', async () => {
    const result = await loadConfigDirectory(defaultConfigLocation(REPO_ROOT));
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });

  it('builds the same way from in-memory sources (what the tests below alter)', () => {
    const result = ExampleConfigSources.read().build();
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });

  it('has a document of every kind, each traced to its file', async () => {
    const config = await loadShippedConfig();
    const kinds = new Set([...config.fileOf.keys()].map((key) => key.split('/')[0]));
    expect([...kinds].sort()).toEqual([...CONFIG_KINDS].sort());
    expect(config.fileOf.get('scoring')).toBe('campaigns/scoring.yaml');
    expect(config.fileOf.get('campaign/monthly-newsletter')).toBe('campaigns/monthly-newsletter.yaml');
  });

  it('has a recurring (cron) campaign and a one-off (at) campaign', async () => {
    const config = await loadShippedConfig();
    const recurring = config.campaigns.filter((campaign) => campaign.schedule.cron !== undefined);
    const oneOff = config.campaigns.filter((campaign) => campaign.schedule.at !== undefined);
    expect(recurring.map((campaign) => campaign.id)).toContain('monthly-newsletter');
    expect(oneOff.map((campaign) => campaign.id)).toContain('analytics-launch');
  });

  it('has a sequence with steps, a webinar policy, senders, topics, guardrails, scoring and CSQL rules', async () => {
    const config = await loadShippedConfig();
    expect(config.sequences.length).toBeGreaterThan(0);
    expect(config.sequences[0]?.steps.length).toBeGreaterThan(1);
    expect(config.webinarPolicies.length).toBeGreaterThan(0);
    expect(config.senders.identities.length).toBeGreaterThan(0);
    expect(config.topics.topics.length).toBeGreaterThan(0);
    expect(config.guardrails.frequencyCaps.length).toBeGreaterThan(0);
    expect(config.scoring.bands.map((band) => band.id)).toEqual(['cold', 'warm', 'hot']);
    expect(config.csqlRules.rules.length).toBeGreaterThan(0);
  });

  it('has every template in both ja and en, with a subject line and an <mjml> body', async () => {
    const config = await loadShippedConfig();
    expect(config.templates.size).toBeGreaterThan(0);
    for (const [templateId, versions] of config.templates) {
      expect([...versions.keys()].sort(), templateId).toEqual([...LOCALES].sort());
      for (const version of versions.values()) {
        expect(version.subject, version.file).not.toBe('');
        expect(version.mjml, version.file).toMatch(/^\s*<mjml[\s>]/);
        expect(version.mjml, `${version.file}: front matter must be stripped`).not.toContain('subject:');
      }
    }
    expect(config.templates.get('monthly-newsletter')?.get('ja')?.file).toBe('templates/monthly-newsletter/ja.mjml');
  });

  it('sends every message in both ja and en', async () => {
    const config = await loadShippedConfig();
    for (const message of [...config.campaigns, ...config.sequences, ...config.webinarPolicies]) {
      expect([...message.locales].sort(), message.id).toEqual([...LOCALES].sort());
    }
  });
});
