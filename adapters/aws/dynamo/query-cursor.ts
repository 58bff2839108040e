/**
 * A query's LastEvaluatedKey as an opaque cursor string (base64url JSON), so the core can keep
 * it in a checkpoint without knowing the table's keys, and its parse back at the boundary.
 */
import { z } from 'zod';

const lastEvaluatedKeySchema = z.record(z.string(), z.union([z.string(), z.number()]));

export function cursorOf(lastEvaluatedKey: Record<string, unknown> | undefined): string | undefined {
  return lastEvaluatedKey ? Buffer.from(JSON.stringify(lastEvaluatedKey)).toString('base64url') : undefined;
}

export function exclusiveStartKeyOf(cursor: string | undefined): Record<string, string | number> | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new Error(`query cursor: expected base64url JSON of a DynamoDB key, got '${cursor.slice(0, 40)}'`);
  }
  const parsed = lastEvaluatedKeySchema.safeParse(decoded);
  if (!parsed.success) throw new Error(`query cursor: expected a DynamoDB key of string and number attributes (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}
