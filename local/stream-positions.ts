/**
 * Where the local stream poller has read the table's stream up to, kept in a JSON file in the data
 * folder next to DynamoDB Local's. DynamoDB Local keeps stream records across restarts, so without
 * this a restarted engine would hand every record to the KPI consumer again and count it twice
 * (Lambda's event source mapping keeps the same position on AWS's side).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { StreamPositions } from './table-stream-poller.ts';

const PositionsFile = z.record(z.string(), z.string().regex(/^\d+$/));

export function fileStreamPositions(path: string): StreamPositions {
  let saved: Record<string, string> | undefined;
  const read = (): Record<string, string> => {
    if (saved) return saved;
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      saved = {};
      return saved;
    }
    const parsed = PositionsFile.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${path}: not a stream positions file (shard to sequence number): ${parsed.error.issues[0]?.message ?? 'invalid'}; delete it only if the KPI counters may be rebuilt`);
    saved = parsed.data;
    return saved;
  };
  return {
    load: async (streamArn, shardId) => read()[`${streamArn} ${shardId}`],
    save: async (streamArn, shardId, lastSequenceNumber) => {
      const positions = { ...read(), [`${streamArn} ${shardId}`]: lastSequenceNumber };
      mkdirSync(dirname(path), { recursive: true });
      // Write then rename: a crash mid-write leaves the previous position, never half a file.
      writeFileSync(`${path}.tmp`, `${JSON.stringify(positions, null, 2)}\n`);
      renameSync(`${path}.tmp`, path);
      saved = positions;
    },
  };
}
