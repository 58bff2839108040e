/**
 * The running engine's file, `<data folder>/engine.json`: `npm start` writes it once everything
 * listens and removes it on stop, so the command-line tools find the engine's ports and table
 * (and never take another program's DynamoDB Local for it). A file whose process is gone (the
 * engine was killed) is stale and ignored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const ENGINE_FILE_NAME = 'engine.json';

const runningEngineSchema = z.object({
  /** The `npm start` (Node) process. */
  pid: z.number().int().positive(),
  /** Its DynamoDB Local (Java) process. */
  dynamodbPid: z.number().int().positive().optional(),
  enginePort: z.number().int(),
  dynamodbPort: z.number().int(),
  sesPort: z.number().int(),
  tableName: z.string(),
  startedAt: z.string(),
});

export type RunningEngine = z.infer<typeof runningEngineSchema>;

export class EngineFileError extends Error {}

export function engineFilePath(dataDir: string): string {
  return join(dataDir, ENGINE_FILE_NAME);
}

/** The engine running from this data folder, or undefined when none is (no file, or a stale one). */
export function readRunningEngine(dataDir: string): RunningEngine | undefined {
  const path = engineFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = runningEngineSchema.safeParse(json);
  if (!parsed.success) throw new EngineFileError(`${path}: not an engine file written by npm start (${parsed.error.issues[0]?.message ?? 'not JSON'}); delete it if no engine is running`);
  return isProcessAlive(parsed.data.pid) ? parsed.data : undefined;
}

export function writeEngineFile(dataDir: string, engine: RunningEngine): void {
  writeFileSync(engineFilePath(dataDir), `${JSON.stringify(engine, null, 2)}\n`);
}

/** Removes it only if it is this process's (a second engine must not delete the first one's). */
export function removeEngineFile(dataDir: string, pid: number): void {
  try {
    const current = runningEngineSchema.safeParse(JSON.parse(readFileSync(engineFilePath(dataDir), 'utf8')));
    if (current.success && current.data.pid !== pid) return;
  } catch {
    return;
  }
  rmSync(engineFilePath(dataDir), { force: true });
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
