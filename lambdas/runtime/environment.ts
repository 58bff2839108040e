/** The Lambda environment, checked once at cold start: a missing variable is a clear error, not an undefined. */
import { z } from 'zod';

const environmentSchema = z.object({
  TABLE_NAME: z.string().min(1),
  SEND_QUEUE_URL: z.string().url(),
  /** Public base URL of the tracking / unsubscribe HTTP app. */
  LINK_BASE_URL: z.string().url(),
  /** Secrets Manager secret holding the link-signing key. */
  LINK_SECRET_ARN: z.string().min(1),
  /** Secrets Manager secret holding the ingest API's bearer token (HTTP function only). */
  INGEST_TOKEN_SECRET_ARN: z.string().min(1).optional(),
  /** Sender functions running at once (reserved concurrency): each keeps MaxSendRate / this. */
  SENDER_CONCURRENCY: z.coerce.number().int().positive(),
  /** Where the bundled campaigns/ and templates/ folders are (copied next to the handler). */
  CONFIG_ROOT: z.string().min(1).optional(),
  LAMBDA_TASK_ROOT: z.string().min(1).optional(),
});

export type LambdaEnvironment = z.infer<typeof environmentSchema>;

export function readEnvironment(env: NodeJS.ProcessEnv): LambdaEnvironment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Lambda environment is incomplete: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}
