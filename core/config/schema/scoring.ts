/**
 * Scoring weights with their half-life, the DEAR health model, engagement bands,
 * and the rules that promote an account to CSQL.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.ts';
import { MIN_HALF_LIFE_MS } from '../../scoring/decayed-score.ts';
import { durationSchema, idSchema, phaseSchema, tierSchema, weightSchema } from './common.ts';

/** A product-usage metric as the ingest API and EventBridge events name it, e.g. seats_used. */
export const usageMetricIdSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, {
  error: (issue) => `expected a metric name of lowercase letters, digits and _ starting with a letter (e.g. seats_used), got '${String(issue.input)}'`,
});

/** The signals an engagement event can move a score by (score-event.ts), as rules and explanations name them. */
export const SCORE_SIGNALS = ['delivered', 'open', 'click', 'webinarRegistered', 'webinarAttended', 'webinarWatchMinutes', 'webinarSurvey', 'productUsage', 'surveyAnswered', 'unsubscribe', 'complaint'] as const;

/** The four DEAR dimensions, in the order they are shown. */
export const HEALTH_DIMENSIONS = ['deployment', 'engagement', 'adoption', 'roi'] as const;

/**
 * One input of a DEAR dimension: a metric's latest value, the ratio of two metrics, or the
 * account's engagement score, scored 0-100 against a target (at or above it: 100; linear below).
 */
const healthInputSchema = z
  .strictObject({
    metric: usageMetricIdSchema.optional().describe('a metric of health.metrics: the input is its latest value'),
    per: usageMetricIdSchema.optional().describe('divide by this metric (e.g. metric: seats_used, per: seats_bought)'),
    engagementScore: z.literal('account').optional().describe("the account's decayed engagement score instead of a metric"),
    nps: z
      .literal('account')
      .optional()
      .describe("the account's NPS (-100..100, latest answer per contact across surveys): scores linearly from 0 at -100 to 100 at the target; an account with no answers is left out of the dimension"),
    target: z
      .number({ error: (issue) => `expected a number, got '${String(issue.input)}'` })
      .positive({ error: (issue) => `the target must be above 0, got ${String(issue.input)}` })
      .describe('the value that scores 100; below it the input scores linearly down to 0 at 0'),
    weight: weightSchema.default(1).describe("the input's weight within its dimension"),
  })
  .superRefine((input, context) => {
    const kinds = [input.metric, input.engagementScore, input.nps].filter((kind) => kind !== undefined).length;
    if (kinds !== 1) {
      context.addIssue({ code: 'custom', path: ['metric'], message: 'give exactly one of metric (with an optional per), engagementScore: account or nps: account' });
    } else if (input.per !== undefined && input.metric === undefined) {
      context.addIssue({ code: 'custom', path: ['per'], message: 'per divides a metric: give metric as well' });
    } else if (input.nps !== undefined && input.target > 100) {
      context.addIssue({ code: 'custom', path: ['target'], message: `an NPS is at most 100: a target of ${input.target} is never reached (e.g. 30)` });
    }
  });

const healthDimensionSchema = z
  .strictObject({
    weight: weightSchema.describe("the dimension's relative weight in the health total"),
    inputs: z.array(healthInputSchema).min(1, { error: 'list at least one input' }),
  })
  .refine((dimension) => dimension.inputs.some((input) => input.weight > 0), { path: ['inputs'], error: 'give at least one input a weight above 0' });

const healthBandSchema = z.strictObject({
  minScore: z.number({ error: (issue) => `expected a number, got '${String(issue.input)}'` }).min(0).max(100, { error: 'health is 0-100: a minScore above 100 is never reached' }),
});

/**
 * The DEAR health score: Deployment (is it set up), Engagement (do they respond to us), Adoption
 * (do they use it), ROI (do they get value). Each dimension is the weighted mean of its inputs,
 * the total the weighted mean of the dimensions, 0-100. docs/scoring.md explains it.
 */
export const healthSchema = z
  .strictObject({
    metrics: z
      .array(usageMetricIdSchema)
      .min(1, { error: 'declare at least one usage metric' })
      .describe('the product-usage metrics the ingest API and ProductUsageReported events accept'),
    deployment: healthDimensionSchema.describe('Deployment: is the product set up (seats taken, integrations connected)'),
    engagement: healthDimensionSchema.describe('Engagement: do they respond to us (the engagement score)'),
    adoption: healthDimensionSchema.describe('Adoption: do they use it (active users, key features, logins)'),
    roi: healthDimensionSchema.describe('ROI: do they get value (what the product did for them)'),
    bands: z
      .strictObject({ healthy: healthBandSchema, watch: healthBandSchema })
      .refine((bands) => bands.healthy.minScore > bands.watch.minScore, { path: ['healthy', 'minScore'], error: 'healthy must start above watch' })
      .describe('healthy at or above healthy.minScore, watch at or above watch.minScore, at-risk below'),
  })
  .superRefine((health, context) => {
    const declared = new Set<string>();
    health.metrics.forEach((metric, index) => {
      if (declared.has(metric)) context.addIssue({ code: 'custom', path: ['metrics', index], message: `metric '${metric}' is declared twice` });
      declared.add(metric);
    });
    for (const dimension of HEALTH_DIMENSIONS) {
      health[dimension].inputs.forEach((input, index) => {
        for (const field of ['metric', 'per'] as const) {
          const metric = input[field];
          if (metric !== undefined && !declared.has(metric)) {
            context.addIssue({ code: 'custom', path: [dimension, 'inputs', index, field], message: `unknown metric '${metric}': health.metrics declares ${[...declared].join(', ')}` });
          }
        }
      });
    }
    if (HEALTH_DIMENSIONS.every((dimension) => health[dimension].weight === 0)) {
      context.addIssue({ code: 'custom', path: ['deployment', 'weight'], message: 'give at least one DEAR dimension a weight above 0' });
    }
  })
  .describe('DEAR health score, 0-100, from product-usage metrics and the engagement score');

export const scoringSchema = z
  .strictObject({
    kind: z.literal('scoring'),
    halfLife: durationSchema
      // Not a duration at all is reported by durationSchema; this only judges a duration.
      .refine((text) => (parseDuration(text) ?? MIN_HALF_LIFE_MS) >= MIN_HALF_LIFE_MS, { error: 'the half-life must be at least 1h: shorter ones rebase stored scores more than once a day' })
      .describe('an event counts half as much after this long (at least 1h)'),
    weights: z.strictObject({
      delivered: weightSchema.default(0),
      open: weightSchema,
      click: weightSchema,
      webinarRegistered: weightSchema,
      webinarAttended: weightSchema.describe('scaled by the share of the session watched'),
      webinarWatchMinute: weightSchema.default(0),
      webinarSurvey: weightSchema.default(0),
      productUsage: weightSchema.default(0),
      surveyAnswered: weightSchema.default(4).describe('answering a survey (an NPS answer), once per contact and survey'),
    }),
    penalties: z
      .strictObject({
        unsubscribe: weightSchema.default(0),
        complaint: weightSchema.default(0),
      })
      .default({ unsubscribe: 0, complaint: 0 })
      .describe('subtracted from the score: what says the person does not want our email'),
    bands: z
      .array(z.strictObject({ id: idSchema, minScore: weightSchema }))
      .min(1)
      .describe('Engagement bands by minimum contact score, e.g. cold 0, warm 5, hot 20'),
    account: z.strictObject({
      breadthWeight: weightSchema.describe('added per distinct engaged contact'),
      engagedContactMinScore: weightSchema,
    }),
    health: healthSchema,
  })
  .describe('Engagement scoring with exponential decay, and the DEAR health score');

export const csqlRulesSchema = z
  .strictObject({
    kind: z.literal('csql-rules'),
    cooldown: durationSchema.describe('an account is not promoted again within this time'),
    demoteBelowScore: weightSchema.describe('hysteresis: a CSQL account stays one until its score falls below this (below every rule\'s minAccountScore)'),
    expireAfter: durationSchema.optional().describe('a promotion that sales did not act on expires after this (the account may qualify again after the cooldown)'),
    explainTopSignals: z.number().int().min(1).max(10).default(3),
    exclusions: z
      .strictObject({
        openOpportunity: z.boolean().default(true).describe('an account with an open opportunity in the CRM is not promoted (sales is already talking to it)'),
        rejectionCooldown: durationSchema.optional().describe('after sales rejects a CSQL (POST /api/ingest/csql-outcomes), the account is not promoted again within this time'),
      })
      .default({ openOpportunity: true })
      .describe('accounts that are not promoted whatever their scores (already a CSQL is always excluded)'),
    rules: z
      .array(
        z.strictObject({
          id: idSchema,
          description: z.string().min(1),
          tiers: z.array(tierSchema).min(1).optional(),
          phases: z.array(phaseSchema).min(1).optional(),
          minAccountScore: weightSchema.optional(),
          minHealth: z.number().min(0).max(100).optional(),
          minEngagedContacts: z.number().int().min(0).optional(),
          minWebinarAttendances: z.number().int().min(0).optional(),
          productsNotOwned: z.array(z.string().min(1)).min(1).optional(),
          webinarsWithin: durationSchema.optional().describe('only webinar sessions that started within this time count for minWebinarAttendances'),
          minHealthDimensions: z
            .partialRecord(z.enum(HEALTH_DIMENSIONS), z.number().min(0).max(100))
            .optional()
            .describe('minimum DEAR components, e.g. { adoption: 50, deployment: 60 }'),
          minSignals: z
            .partialRecord(z.enum(SCORE_SIGNALS), weightSchema)
            .optional()
            .describe("minimum decayed account score from one signal, e.g. { click: 6, webinarAttended: 4 }: recent activity of that kind"),
          usageRising: z
            .strictObject({
              metric: usageMetricIdSchema,
              per: usageMetricIdSchema.optional().describe('divide by this metric: seats_used per seats_bought is seat utilisation'),
              over: durationSchema.describe('compared with the value this long ago'),
              minIncrease: z.number().positive().describe('by at least this much (in the metric\'s units, or the ratio\'s: 0.1 = 10 points of utilisation)'),
            })
            .optional()
            .describe('a usage figure (or ratio) rose over a period, e.g. seat utilisation up 10 points in 30 days'),
        }),
      )
      .min(1, { error: 'declare at least one CSQL rule' }),
  })
  .describe('When an account becomes a Customer Success Qualified Lead');

export type Scoring = z.infer<typeof scoringSchema>;
export type CsqlRules = z.infer<typeof csqlRulesSchema>;
export type HealthModel = z.infer<typeof healthSchema>;
export type HealthDimension = (typeof HEALTH_DIMENSIONS)[number];
