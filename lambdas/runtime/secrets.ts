/**
 * Secrets Manager reads for the functions that hold a secret (link-signing key, ingest token),
 * through Powertools Parameters (cached 5 minutes, so a rotation reaches warm containers).
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

export async function readSecret(arn: string, what: string): Promise<string> {
  const secret = await getSecret(arn, { maxAge: 300 });
  if (typeof secret !== 'string' || secret.length < 16) throw new Error(`the ${what} is missing or shorter than 16 characters`);
  return secret;
}
