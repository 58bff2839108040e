/**
 * The config a function reads from its bundle is the config the synth validated: the JSON round
 * trip keeps every part (the template and file Maps included), and a function asking for a part
 * its bundle lacks fails at cold start with a message naming it, not later with an undefined.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultConfigLocation, loadConfigOrThrow } from '../../../adapters/fs/config-directory.ts';
import { ALL_CONFIG_PARTS, parseBundledConfig, serializeConfig } from '../../../lambdas/runtime/bundled-config.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('bundled config', () => {
  it('round-trips the shipped config exactly, templates included', async () => {
    const config = await loadConfigOrThrow(defaultConfigLocation(root));
    const read = parseBundledConfig(serializeConfig(config, ALL_CONFIG_PARTS), ALL_CONFIG_PARTS);
    expect(read).toEqual(config);
    expect(read.templates.get('monthly-newsletter')?.get('ja')?.mjml).toBe(config.templates.get('monthly-newsletter')?.get('ja')?.mjml);
  });

  it('carries only the parts asked for, and refuses to read a part that is not there', async () => {
    const config = await loadConfigOrThrow(defaultConfigLocation(root));
    const text = serializeConfig(config, ['topics']);
    expect(Object.keys((JSON.parse(text) as { parts: object }).parts)).toEqual(['topics']);
    expect(parseBundledConfig(text, ['topics'])).toEqual({ topics: config.topics });
    expect(() => parseBundledConfig(text, ['topics', 'templates'])).toThrow(/lacks config part\(s\) templates/);
  });
});
