/**
 * Local secrets (the ingest API token, the link-signing key): taken from the environment when
 * set, else generated once and kept in the data folder, readable by the owner only.
 * In AWS the same values come from Secrets Manager.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function localSecret(dataDir: string, name: string, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  const path = join(dataDir, name);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The file (in the data folder) holding the key that signs the dashboard's login links and sessions. */
export const DASHBOARD_SECRET_FILE = 'dashboard-secret';
