/**
 * Custom attributes: the extra data a team personalises and segments by (a contact's industry,
 * an account's region, a renewal date), declared once with a type. Owns the declaration file
 * (kind `attributes`) and what a value of each type looks like, so the import, the segment check
 * and the sample recipient agree on it.
 */
import { z } from 'zod';
import { isCalendarDate } from '../local-time.ts';
import { attributeIdSchema, localizedTextSchema } from './common.ts';

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** A stored attribute value: dates are calendar dates as text (2026-04-01). */
export type AttributeValue = string | number | boolean;

export const attributeDeclarationSchema = z
  .strictObject({
    id: attributeIdSchema,
    type: z.enum(ATTRIBUTE_TYPES, { error: (issue) => `expected a type (${ATTRIBUTE_TYPES.join(', ')}), got '${String(issue.input)}'` }),
    label: localizedTextSchema,
    /** For strings: the only values allowed (an enum). Imports and segments may use only these. */
    values: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((declaration) => declaration.values === undefined || declaration.type === 'string', {
    error: 'only a string attribute can list its values: remove values, or make the type string',
    path: ['values'],
  });

export const attributesSchema = z
  .strictObject({
    kind: z.literal('attributes'),
    contact: z.array(attributeDeclarationSchema).default([]).describe('Attributes of a contact: CSV column attr_<id> of contacts.csv, `attributes` in the ingest API'),
    account: z.array(attributeDeclarationSchema).default([]).describe('Attributes of an account: CSV column attr_<id> of accounts.csv, `attributes` in the ingest API'),
  })
  .describe('Custom attributes imports may carry, templates may show ({{ contact.attributes.<id> }}) and segments may select on');

export type AttributeDeclaration = z.infer<typeof attributeDeclarationSchema>;
export type Attributes = z.infer<typeof attributesSchema>;

/** What the engine works with when no attributes file exists: nothing declared. */
export const NO_ATTRIBUTES: Attributes = { kind: 'attributes', contact: [], account: [] };

const TYPE_HINT: Record<AttributeType, string> = {
  string: 'text',
  number: 'a number like 42 or 3.5',
  boolean: 'true or false',
  date: 'a date like 2026-04-01',
};

/**
 * `value` as the declared type, or a message saying what was expected. Text is accepted for
 * every type (a CSV cell is text; `true`, `12.5`, `2026-04-01`), so CSV and JSON read alike.
 */
export function attributeValueOf(declaration: Pick<AttributeDeclaration, 'type' | 'values'>, value: unknown): { value: AttributeValue } | { error: string } {
  const got = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  const expected = `expected ${TYPE_HINT[declaration.type]}, got ${got}`;
  switch (declaration.type) {
    case 'string': {
      if (typeof value !== 'string' || value.trim() === '') return { error: expected };
      const text = value.trim();
      if (declaration.values && !declaration.values.includes(text)) return { error: `expected one of ${declaration.values.join(', ')}, got '${text}'` };
      return { value: text };
    }
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return { value };
      if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return { value: Number(value.trim()) };
      return { error: expected };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      // Excel writes TRUE / FALSE.
      const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: expected };
    }
    case 'date': {
      if (typeof value === 'string' && isCalendarDate(value.trim())) return { value: value.trim() };
      return { error: expected };
    }
  }
}
