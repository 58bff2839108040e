/** The local ingest API token: INGEST_TOKEN if set, else generated once and kept in the data folder. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function localIngestToken(dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.INGEST_TOKEN) return env.INGEST_TOKEN;
  const path = join(dataDir, 'ingest-token');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}
