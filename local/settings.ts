/**
 * Settings of the local runtime, from command-line flags, then environment, then defaults.
 * Checked with zod so a bad port is a clear message, not a stack trace.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';

export interface LocalSettings {
  enginePort: number;
  dynamodbPort: number;
  sesPort: number;
  /** Where DynamoDB Local keeps its file, the ingest token and the demo CSVs. */
  dataDir: string;
  tableName: string;
  /** What the local SES emulator reports as the account's MaxSendRate. */
  sesMaxSendRate: number;
  projectRoot: string;
}

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

export class SettingsError extends Error {}

export function readLocalSettings(argv: string[], env: NodeJS.ProcessEnv, projectRoot: string): LocalSettings {
  const { values } = parseArgs({ args: argv, options: LOCAL_OPTIONS, strict: true, allowPositionals: true });
  const parsed = settingsSchema.safeParse({
    enginePort: values.port ?? env.ENGINE_PORT ?? 3000,
    dynamodbPort: values['dynamodb-port'] ?? env.DYNAMODB_PORT ?? 8000,
    sesPort: values['ses-port'] ?? env.SES_PORT ?? 8005,
    dataDir: values['data-dir'] ?? env.DATA_DIR ?? '.local',
    tableName: values.table ?? env.TABLE_NAME ?? 'nurture-engine-local',
    sesMaxSendRate: values['ses-rate'] ?? env.SES_MAX_SEND_RATE ?? 14,
  });
  if (!parsed.success) throw new SettingsError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  return { ...parsed.data, dataDir: resolve(projectRoot, parsed.data.dataDir), projectRoot };
}
