/** JSON Schema for editors, derived from the zod schemas (the single source of truth). */
import { z } from 'zod';
import { configDocumentSchema } from './schema/index.ts';

export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configDocumentSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'Nurture engine config document' }, null, 2)}\n`;
}
