/**
 * Settings of the local runtime and its command-line tools: a command-line flag, else the
 * environment, else (tools only) the engine running from the data folder (its engine.json),
 * else the default. Checked with zod so a bad port is a clear message, not a stack trace.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { readRunningEngine, type RunningEngine } from './engine-file.ts';

export interface LocalSettings {
  enginePort: number;
  dynamodbPort: number;
  sesPort: number;
  /** Where DynamoDB Local keeps its file, the ingest token, the engine file and the demo CSVs. */
  dataDir: string;
  tableName: string;
  /** What the local SES emulator reports as the account's MaxSendRate. */
  sesMaxSendRate: number;
  projectRoot: string;
}

type SettingKey = Exclude<keyof LocalSettings, 'projectRoot'>;

/** Where a setting's value came from, so a tool can say why it talks to a port. */
export type SettingSource = 'flag' | 'environment' | 'engine file' | 'default';

/** The settings a command-line tool runs with, and the engine it found, if any. */
export interface ToolSettings extends LocalSettings {
  /** The `npm start` running from `dataDir`, from its engine file. */
  runningEngine: RunningEngine | undefined;
  sources: Record<SettingKey, SettingSource>;
}

/** One flag of the local runtime: its environment variable, default and help line. */
interface LocalFlag {
  flag: string;
  env: string;
  key: SettingKey;
  fallback: string;
  help: string;
  /** The running engine's value, when the engine file has one. */
  fromEngine?: (engine: RunningEngine) => string;
}

export const LOCAL_FLAGS: readonly LocalFlag[] = [
  { flag: 'port', env: 'ENGINE_PORT', key: 'enginePort', fallback: '3000', help: 'port of the engine HTTP app', fromEngine: (engine) => String(engine.enginePort) },
  { flag: 'dynamodb-port', env: 'DYNAMODB_PORT', key: 'dynamodbPort', fallback: '8000', help: 'port of DynamoDB Local', fromEngine: (engine) => String(engine.dynamodbPort) },
  { flag: 'ses-port', env: 'SES_PORT', key: 'sesPort', fallback: '8005', help: 'port of the SES emulator', fromEngine: (engine) => String(engine.sesPort) },
  { flag: 'data-dir', env: 'DATA_DIR', key: 'dataDir', fallback: '.local', help: 'data folder (DynamoDB file, secrets, engine.json)' },
  { flag: 'table', env: 'TABLE_NAME', key: 'tableName', fallback: 'nurture-engine-local', help: 'DynamoDB table', fromEngine: (engine) => engine.tableName },
  { flag: 'ses-rate', env: 'SES_MAX_SEND_RATE', key: 'sesMaxSendRate', fallback: '14', help: "emails per second the SES emulator's GetAccount reports" },
];

const portSchema = (name: string) =>
  z.coerce
    .number({ error: `${name}: expected a port number` })
    .int({ error: `${name}: expected a whole port number` })
    .min(1, { error: `${name}: ports run from 1 to 65535` })
    .max(65535, { error: `${name}: ports run from 1 to 65535` });

const settingsSchema = z.object({
  enginePort: portSchema('--port / ENGINE_PORT'),
  dynamodbPort: portSchema('--dynamodb-port / DYNAMODB_PORT'),
  sesPort: portSchema('--ses-port / SES_PORT'),
  dataDir: z.string().min(1),
  sesMaxSendRate: z.coerce.number({ error: '--ses-rate / SES_MAX_SEND_RATE: expected emails per second' }).positive({ error: '--ses-rate / SES_MAX_SEND_RATE: must be above 0' }),
  tableName: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: '--table / TABLE_NAME: 3-255 letters, digits, _ . -' }),
});

export const LOCAL_OPTIONS = {
  port: { type: 'string' },
  'dynamodb-port': { type: 'string' },
  'ses-port': { type: 'string' },
  'data-dir': { type: 'string' },
  table: { type: 'string' },
  'ses-rate': { type: 'string' },
} as const;

export type LocalOptionValues = Partial<Record<keyof typeof LOCAL_OPTIONS, string>>;

export class SettingsError extends Error {}

/**
 * For a command-line tool: the shared flags in `argv` (other arguments are ignored), then the
 * environment, then the running engine's file, then defaults. Tools with options of their own
 * use command-line.ts, which also gives them --help.
 */
export function readLocalSettings(argv: string[], env: NodeJS.ProcessEnv, projectRoot: string): ToolSettings {
  const { values } = parseArgs({ args: argv, options: LOCAL_OPTIONS, strict: false, allowPositionals: true });
  return resolveLocalSettings(values as LocalOptionValues, env, projectRoot, { followEngine: true });
}

/**
 * Flag, else environment, else (with `followEngine`) the engine running from the data folder,
 * else the default. The data folder itself comes from flag, environment or default.
 */
export function resolveLocalSettings(values: LocalOptionValues, env: NodeJS.ProcessEnv, projectRoot: string, options: { followEngine: boolean }): ToolSettings {
  const given = (flag: LocalFlag): [string, SettingSource] | undefined => {
    const fromFlag = values[flag.flag as keyof LocalOptionValues];
    if (fromFlag !== undefined) return [fromFlag, 'flag'];
    const fromEnv = env[flag.env];
    return fromEnv !== undefined && fromEnv !== '' ? [fromEnv, 'environment'] : undefined;
  };
  const dataDirFlag = LOCAL_FLAGS.find((flag) => flag.key === 'dataDir') as LocalFlag;
  const dataDir = resolve(projectRoot, given(dataDirFlag)?.[0] ?? dataDirFlag.fallback);
  const runningEngine = options.followEngine ? readRunningEngine(dataDir) : undefined;

  const raw: Partial<Record<SettingKey, string>> = {};
  const sources = {} as Record<SettingKey, SettingSource>;
  for (const flag of LOCAL_FLAGS) {
    const [value, source] = given(flag) ?? (runningEngine && flag.fromEngine ? [flag.fromEngine(runningEngine), 'engine file' as const] : [flag.fallback, 'default' as const]);
    raw[flag.key] = value;
    sources[flag.key] = source;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) throw new SettingsError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  return { ...parsed.data, dataDir, projectRoot, runningEngine, sources };
}

/** The help lines of the shared flags: flag, environment variable, default. */
export function localFlagsHelp(): string[] {
  return LOCAL_FLAGS.map((flag) => `  --${`${flag.flag} <value>`.padEnd(22)} ${flag.help} (env ${flag.env}; default: ${flag.fromEngine ? "the running engine's, else " : ''}${flag.fallback})`);
}
