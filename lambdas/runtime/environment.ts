/**
 * The Lambda environment, checked once at cold start: a missing variable is a clear error, not an
 * undefined. Each function's composition root reads only the variables it uses (infra/ sets only
 * those), from the fields below.
 */
import { z } from 'zod';

export const ENVIRONMENT_FIELDS = {
  TABLE_NAME: z.string().min(1),
  SEND_QUEUE_URL: z.string().url(),
  /** The dispatch-shard queue: one message per (campaign run, contact-list shard). Dispatcher only. */
  DISPATCH_SHARD_QUEUE_URL: z.string().url(),
  /** A campaign run's dispatch workers at most (core/sending/run-fan-out.ts): the shard queue's event-source concurrency. Dispatcher only. */
  DISPATCH_MAX_WORKERS: z.coerce.number().int().min(1),
  /** The stage's EventBridge bus the engine publishes its events to (CSQL promotions for the CRM). Dispatcher only. */
  EVENT_BUS_NAME: z.string().min(1),
  /** Public base URL of the tracking / unsubscribe HTTP app. */
  LINK_BASE_URL: z.string().url(),
  /** Secrets Manager secret holding the link-signing key. */
  LINK_SECRET_ARN: z.string().min(1),
  /** Secrets Manager secret holding the ingest API's bearer token (ingest function only). */
  INGEST_TOKEN_SECRET_ARN: z.string().min(1),
  /** Secrets Manager secret holding the key that signs dashboard login links and sessions (dashboard function only). */
  DASHBOARD_SECRET_ARN: z.string().min(1),
  /** Sender functions running at once (reserved concurrency): each keeps MaxSendRate / this. */
  SENDER_CONCURRENCY: z.coerce.number().int().positive(),
  /** Unused send slots an instance may catch up, seconds (core/sending/sender-capacity.ts). */
  SENDER_BURST_SECONDS: z.coerce.number().min(0).max(1),
  /** Where the bundled config (engine-config.json) is; Lambda sets LAMBDA_TASK_ROOT, tests CONFIG_ROOT. */
  CONFIG_ROOT: z.string().min(1).optional(),
  LAMBDA_TASK_ROOT: z.string().min(1).optional(),
} as const;

export type EnvironmentField = keyof typeof ENVIRONMENT_FIELDS;
type Shape<K extends EnvironmentField> = Pick<typeof ENVIRONMENT_FIELDS, K | 'CONFIG_ROOT' | 'LAMBDA_TASK_ROOT'>;
export type FunctionEnvironment<K extends EnvironmentField> = z.infer<z.ZodObject<Shape<K>>>;

/** The named variables (plus where the config is), or one error naming every missing or malformed one. */
export function readEnvironment<K extends EnvironmentField>(env: NodeJS.ProcessEnv, fields: readonly K[]): FunctionEnvironment<K> {
  const shape = Object.fromEntries([...fields, 'CONFIG_ROOT', 'LAMBDA_TASK_ROOT'].map((field) => [field, ENVIRONMENT_FIELDS[field as EnvironmentField]])) as Shape<K>;
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    throw new Error(`Lambda environment is incomplete: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The folder the bundled config is read from. */
export function configRootOf(env: { CONFIG_ROOT?: string | undefined; LAMBDA_TASK_ROOT?: string | undefined }): string {
  return env.CONFIG_ROOT ?? env.LAMBDA_TASK_ROOT ?? process.cwd();
}
