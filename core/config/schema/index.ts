/**
 * The config file schema: one YAML file holds one document of one `kind`.
 * This union is the single source of truth for the types and the exported JSON Schema.
 */
import { z } from 'zod';
import { attributesSchema } from './attributes.ts';
import { campaignSchema, sequenceSchema, webinarPolicySchema } from './messages.ts';
import { csqlRulesSchema, scoringSchema } from './scoring.ts';
import { webinarSchema } from './webinars.ts';
import { surveySchema } from './surveys.ts';
import { guardrailsSchema, productsSchema, sendersSchema, topicsSchema } from './settings.ts';

export const configDocumentSchema = z.discriminatedUnion(
  'kind',
  [campaignSchema, sequenceSchema, webinarPolicySchema, webinarSchema, sendersSchema, topicsSchema, productsSchema, guardrailsSchema, scoringSchema, csqlRulesSchema, attributesSchema, surveySchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `unknown kind '${String((issue.input as { kind?: unknown } | undefined)?.kind)}': expected one of ${CONFIG_KINDS.join(', ')}`
        : undefined,
  },
);

export const CONFIG_KINDS = ['campaign', 'sequence', 'webinar-policy', 'webinar', 'senders', 'topics', 'products', 'guardrails', 'scoring', 'csql-rules', 'attributes', 'survey'] as const;

/** Kinds the engine needs exactly one of. */
export const SINGLETON_KINDS = ['senders', 'topics', 'products', 'guardrails', 'scoring', 'csql-rules'] as const;

/** Kinds of which there may be one at most: without the file, nothing of the kind is declared. */
export const OPTIONAL_SINGLETON_KINDS = ['attributes'] as const;

export type ConfigDocument = z.infer<typeof configDocumentSchema>;
export type ConfigKind = ConfigDocument['kind'];

export * from './attributes.ts';
export * from './common.ts';
export * from './messages.ts';
export * from './settings.ts';
export * from './scoring.ts';
export * from './surveys.ts';
export * from './webinars.ts';
