/**
 * Which parts of the team config each function carries in its bundle: the infra writes exactly
 * these (infra/engine-function.ts) and each composition root reads exactly these, from one list.
 * Functions whose use cases take the config as a whole carry all of it; the others carry what
 * their routes and use cases read, and hand it on through `carriedConfig`, which names a missing
 * part plainly instead of letting a use case read `undefined`.
 */
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { ALL_CONFIG_PARTS, type ConfigPart } from './bundled-config.ts';

export const DISPATCHER_CONFIG_PARTS = ALL_CONFIG_PARTS;
/** The only function that renders: it needs the templates (MJML) to compile. */
export const SENDER_CONFIG_PARTS = ALL_CONFIG_PARTS;
/** Import catalogue (products, topics), sequence enrollment and webinar attendance (the config as a whole). */
export const INGEST_CONFIG_PARTS = ALL_CONFIG_PARTS;
/**
 * The preference centre's topics, and what the webinar links read: the sessions and their policy
 * (webinars, webinarPolicies), the send windows of the emails a registration plans (guardrails),
 * and the organiser in the calendar file (senders); every function that records engagement events
 * scores them (scoring: the one engagement path); the survey answer pages read the surveys.
 */
export const TRACKING_CONFIG_PARTS = ['topics', 'webinars', 'webinarPolicies', 'guardrails', 'senders', 'scoring', 'surveys'] as const satisfies readonly ConfigPart[];
/** Topic opt-outs and scoring (the engagement path). The reputation auto-pause runs where the counts move (KPI_STREAM_CONFIG_PARTS). */
export const SES_EVENTS_CONFIG_PARTS = ['topics', 'scoring'] as const satisfies readonly ConfigPart[];
/** Checks a signature and enqueues: no config at all. */
export const ZOOM_WEBHOOK_CONFIG_PARTS = [] as const satisfies readonly ConfigPart[];
/** A Zoom webhook's session (webinars, webinarPolicies) and the send windows of the emails it plans (guardrails). */
export const WEBINAR_EVENTS_CONFIG_PARTS = ['webinars', 'webinarPolicies', 'guardrails', 'scoring'] as const satisfies readonly ConfigPart[];
/** A ProductUsageReported event: the declared usage metrics (scoring.health.metrics) and the engagement path's weights (scoring). */
export const USAGE_EVENTS_CONFIG_PARTS = ['scoring'] as const satisfies readonly ConfigPart[];
/**
 * The KPI stream consumer: counting reads no config; the reputation auto-pause it runs after
 * counting reads its limits (guardrails) and every email's id (campaigns, sequences, webinars).
 */
export const KPI_STREAM_CONFIG_PARTS = ['guardrails', 'campaigns', 'sequences', 'webinars'] as const satisfies readonly ConfigPart[];

/** What the dashboard shows and how: every email's id and kind, the webinars' sessions and policy, the pause limits (guardrails), the CSQL rules and scoring (the trends replay them), the surveys (NPS). */
export const DASHBOARD_CONFIG_PARTS = ['campaigns', 'sequences', 'webinars', 'webinarPolicies', 'guardrails', 'csqlRules', 'scoring', 'surveys'] as const satisfies readonly ConfigPart[];

const KNOWN_PARTS: ReadonlySet<string> = new Set(ALL_CONFIG_PARTS);

/**
 * The parts a function carries, typed as the whole config for the use cases that take one. Reading
 * a part the function does not carry throws, naming the part and where to add it: a use case that
 * starts reading a new part fails loudly in the first test or invocation, not with a TypeError deep
 * inside it.
 */
export function carriedConfig<K extends ConfigPart>(parts: Pick<EngineConfig, K>, functionName: string): EngineConfig {
  return new Proxy(parts, {
    get(target, property, receiver) {
      if (typeof property === 'string' && KNOWN_PARTS.has(property) && !Object.hasOwn(target, property)) {
        throw new Error(`config part '${property}' is not bundled into the ${functionName} function: add it to its list in lambdas/runtime/function-config-parts.ts`);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  }) as EngineConfig;
}
