/**
 * Which parts of the team config each function carries in its bundle: the infra writes exactly
 * these (infra/engine-function.ts) and each composition root reads exactly these, from one list.
 * Functions whose use cases take the config as a whole carry all of it; the public tracking routes
 * and the SES events function read the topics alone.
 */
import { ALL_CONFIG_PARTS, type ConfigPart } from './bundled-config.ts';

export const DISPATCHER_CONFIG_PARTS = ALL_CONFIG_PARTS;
/** The only function that renders: it needs the templates (MJML) to compile. */
export const SENDER_CONFIG_PARTS = ALL_CONFIG_PARTS;
/** Import catalogue (products, topics) and sequence enrollment (the config as a whole). */
export const INGEST_CONFIG_PARTS = ALL_CONFIG_PARTS;
export const TRACKING_CONFIG_PARTS = ['topics'] as const satisfies readonly ConfigPart[];
export const SES_EVENTS_CONFIG_PARTS = ['topics'] as const satisfies readonly ConfigPart[];
