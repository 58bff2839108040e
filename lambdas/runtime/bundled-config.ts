/**
 * The team config as each function ships it: validated by `cdk synth` (infra/app.ts), written as
 * JSON into the function's bundle (infra/engine-function.ts), and read at cold start with one
 * JSON.parse. No YAML parser, no schema pass, no template files to list in the function: the
 * deployed code runs exactly the config the synth checked, and a function carries only the parts
 * of it that its handler reads. Imported by the CDK app too, so it stays free of runtime deps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineConfig } from '../../core/config/engine-config.ts';

/** The file next to the handler (LAMBDA_TASK_ROOT) that carries the config. */
export const BUNDLED_CONFIG_FILE = 'engine-config.json';

/** A top-level part of the config (`campaigns`, `topics`, `templates`, ...). */
export type ConfigPart = keyof EngineConfig;

/** Every part: what a function that passes the config to a use case as a whole must carry. */
export const ALL_CONFIG_PARTS: readonly ConfigPart[] = [
  'campaigns',
  'sequences',
  'webinarPolicies',
  'webinars',
  'surveys',
  'senders',
  'topics',
  'products',
  'guardrails',
  'scoring',
  'csqlRules',
  'attributes',
  'templates',
  'fileOf',
];

/** Bumped when the layout below changes, so an old bundle is refused with a clear message. */
const FORMAT = 1;

interface BundledConfigJson {
  format: number;
  parts: Record<string, unknown>;
}

/** The config's Maps, as JSON can hold them (entry arrays); everything else is plain data already. */
function toJsonValue(part: ConfigPart, config: EngineConfig): unknown {
  if (part === 'templates') return [...config.templates].map(([templateId, versions]) => [templateId, [...versions]]);
  if (part === 'fileOf') return [...config.fileOf];
  return config[part];
}

function fromJsonValue(part: ConfigPart, value: unknown): unknown {
  if (part === 'templates') return new Map((value as [string, [string, unknown][]][]).map(([templateId, versions]) => [templateId, new Map(versions)]));
  if (part === 'fileOf') return new Map(value as [string, string][]);
  return value;
}

/** At synth: the parts a function needs, as the JSON text written into its bundle. */
export function serializeConfig(config: EngineConfig, parts: readonly ConfigPart[]): string {
  const json: BundledConfigJson = { format: FORMAT, parts: Object.fromEntries([...new Set(parts)].map((part) => [part, toJsonValue(part, config)])) };
  return JSON.stringify(json);
}

/** The inverse of serializeConfig, for the parts the caller asks for (each must be there). */
export function parseBundledConfig<K extends ConfigPart>(text: string, parts: readonly K[], source = BUNDLED_CONFIG_FILE): Pick<EngineConfig, K> {
  const json = JSON.parse(text) as Partial<BundledConfigJson>;
  if (json.format !== FORMAT || typeof json.parts !== 'object' || json.parts === null) {
    throw new Error(`${source}: not a bundled config of format ${FORMAT} (redeploy: the bundle and the handler come from different builds)`);
  }
  const bundled = json.parts;
  const missing = parts.filter((part) => !(part in bundled));
  if (missing.length > 0) {
    throw new Error(`${source}: lacks config part(s) ${missing.join(', ')} that this function reads (infra/ bundles the parts named in lambdas/runtime/function-config-parts.ts)`);
  }
  return Object.fromEntries(parts.map((part) => [part, fromJsonValue(part, bundled[part])])) as Pick<EngineConfig, K>;
}

/** At cold start: the bundled config under `root` (LAMBDA_TASK_ROOT in Lambda). */
export function readBundledConfig<K extends ConfigPart>(root: string, parts: readonly K[]): Pick<EngineConfig, K> {
  const path = join(root, BUNDLED_CONFIG_FILE);
  return parseBundledConfig(readFileSync(path, 'utf8'), parts, path);
}
