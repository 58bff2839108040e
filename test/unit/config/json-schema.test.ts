/**
 * campaigns/config.schema.json is what editors (yaml-language-server) check the YAML against
 * while the team types. It is generated from the zod schemas; a stale copy would let an editor
 * accept what validate rejects, or flag what validate accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../../../core/config/json-schema.ts';
import { CONFIG_KINDS } from '../../../core/config/schema/index.ts';
import { REPO_ROOT } from './example-config-sources.ts';

const SCHEMA_FILE = join(REPO_ROOT, 'campaigns', 'config.schema.json');

interface SchemaBranch {
  properties?: { kind?: { const?: string } };
  additionalProperties?: unknown;
}

describe('campaigns/config.schema.json', () => {
  it('is up to date with the zod schemas', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'campaigns/config.schema.json is stale: run `npm run schema` and commit the result').toBe(
      configJsonSchemaText(),
    );
  });

  it('has one branch per config kind, each rejecting unknown fields so editors flag typos', () => {
    const schema = JSON.parse(configJsonSchemaText()) as { oneOf?: SchemaBranch[] };
    const branches = schema.oneOf ?? [];
    expect(branches.map((branch) => branch.properties?.kind?.const).sort()).toEqual([...CONFIG_KINDS].sort());
    for (const branch of branches) expect(branch.additionalProperties, branch.properties?.kind?.const).toBe(false);
  });

  it('is referenced by every YAML file in campaigns/, so editors pick it up', () => {
    const yamlFiles = readdirSync(join(REPO_ROOT, 'campaigns')).filter((name) => name.endsWith('.yaml'));
    expect(yamlFiles.length).toBeGreaterThan(0);
    for (const name of yamlFiles) {
      expect(readFileSync(join(REPO_ROOT, 'campaigns', name), 'utf8').split('\n')[0], name).toBe('# yaml-language-server: $schema=./config.schema.json');
    }
  });
});
