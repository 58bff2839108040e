/**
 * EventBridge Scheduler side of sending: one schedule per active campaign (cron in the
 * campaign's time zone, or a one-off `at()`), plus the every-minute release of deferred sends and
 * publishing of the event outbox, and the every-5-minutes sequence steps and webinar sweep, all in
 * one schedule group per stage, invoking the dispatcher through a role that can invoke nothing else.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toEventBridgeCron } from '../core/config/cron.ts';
import type { Campaign } from '../core/config/schema/messages.ts';

/**
 * How often parked sends are looked at again: those deferred by quiet hours or send windows, and
 * every webinar email (confirmation, reminders, follow-ups are parked until their time). Every
 * minute, because a webinar reminder must go out within 5 minutes of its time: at rate(5 minutes)
 * a reminder due just after a release waits almost 5 minutes before it is even queued, and the
 * queue and sender add to that. A run that overlaps the next is harmless: the sender claims each
 * send once, so a send queued twice goes out once.
 */
export const RELEASE_DEFERRED_EXPRESSION = 'rate(1 minute)';
/** Sequence steps are days apart: a step a few minutes late is on time. */
export const ADVANCE_SEQUENCES_EXPRESSION = 'rate(5 minutes)';
/**
 * The webinar sweep (joins registrants imported since as contacts, finalizes sessions whose
 * follow-ups are due without an end signal): follow-ups are hours after a session, minutes do not matter.
 */
export const WEBINAR_SWEEP_EXPRESSION = 'rate(5 minutes)';

/**
 * The outbox of events for the CRM (CSQL promotions and demotions) is published every minute: a
 * promotion reaches the bus within about a minute of the score that caused it. A run that overlaps
 * the next may publish an event twice, which receivers dedupe (docs/csql-event.md).
 */
export const PUBLISH_EVENTS_EXPRESSION = 'rate(1 minute)';
/**
 * Every account against the CSQL rules. Scores move with every event, but a promotion is a call for
 * sales to make today: a quarter of an hour is soon enough, and the run is a few reads per account.
 */
export const QUALIFY_ACCOUNTS_EXPRESSION = 'rate(15 minutes)';

/** Scheduler's own retries when it cannot invoke the dispatcher (throttling, a missing function). */
export const SCHEDULE_RETRY_POLICY = { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 } as const;

export interface ScheduleTiming {
  readonly expression: string;
  readonly timeZone: string;
}

/**
 * A campaign's schedule in Scheduler syntax. `at` in config is a local `YYYY-MM-DDTHH:MM`
 * and Scheduler reads `at(...)` in ScheduleExpressionTimezone, so no UTC conversion happens here.
 */
export function campaignScheduleTiming(campaign: Campaign): ScheduleTiming {
  const { cron, at, timezone } = campaign.schedule;
  if (cron !== undefined) return { expression: toEventBridgeCron(cron), timeZone: timezone };
  if (at !== undefined) return { expression: `at(${at}:00)`, timeZone: timezone };
  // The config schema rejects a schedule with neither; reaching this means it was bypassed.
  throw new Error(`campaign '${campaign.id}': schedule has neither cron nor at`);
}

/** The dispatcher's input; `<aws.scheduler.scheduled-time>` makes each firing its own, retry-stable run id. */
export function campaignJobInput(campaignId: string): string {
  return JSON.stringify({ job: 'campaign', campaignId, scheduledFor: '<aws.scheduler.scheduled-time>' });
}

export const RELEASE_DEFERRED_INPUT = JSON.stringify({ job: 'release-deferred' });
export const ADVANCE_SEQUENCES_INPUT = JSON.stringify({ job: 'sequences' });
export const WEBINAR_SWEEP_INPUT = JSON.stringify({ job: 'webinars' });
export const PUBLISH_EVENTS_INPUT = JSON.stringify({ job: 'publish-events' });
export const QUALIFY_ACCOUNTS_INPUT = JSON.stringify({ job: 'qualify' });

export interface CampaignSchedulesProps {
  readonly stage: string;
  readonly campaigns: readonly Campaign[];
  readonly dispatcher: lambda.IFunction;
  /** Where Scheduler puts invocations it gave up on. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class CampaignSchedules extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly role: iam.Role;
  /** Campaign id -> its schedule (active campaigns only). */
  readonly campaignSchedules = new Map<string, scheduler.CfnSchedule>();
  readonly releaseDeferred: scheduler.CfnSchedule;
  readonly advanceSequences: scheduler.CfnSchedule;
  readonly webinarSweep: scheduler.CfnSchedule;
  readonly publishEvents: scheduler.CfnSchedule;
  readonly qualifyAccounts: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: CampaignSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // A group per stage: `aws scheduler list-schedules --group-name nurture-engine-<stage>` shows them all.
    const groupName = `nurture-engine-${props.stage}`;
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: groupName });
    const groupArn = stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: groupName });

    this.role = new iam.Role(this, 'Role', {
      description: `Lets EventBridge Scheduler (group ${groupName}) invoke the nurture engine dispatcher`,
      // Confused-deputy guard: only schedules of this account's group may use the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': groupArn } },
      }),
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.dispatcher.functionArn] }));
    // Scheduler delivers to the dead-letter queue with the schedule's role.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }));

    const target = (input: string): scheduler.CfnSchedule.TargetProperty => ({
      arn: props.dispatcher.functionArn,
      roleArn: this.role.roleArn,
      input,
      retryPolicy: {
        maximumRetryAttempts: SCHEDULE_RETRY_POLICY.MaximumRetryAttempts,
        maximumEventAgeInSeconds: SCHEDULE_RETRY_POLICY.MaximumEventAgeInSeconds,
      },
      deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
    });

    for (const campaign of props.campaigns.filter((candidate) => candidate.status === 'active')) {
      const timing = campaignScheduleTiming(campaign);
      // Names are generated: a campaign id may be 63 characters and schedule names stop at 64.
      // One-off schedules stay after firing (CloudFormation has no ActionAfterCompletion);
      // a past `at()` never fires again, and removing the campaign from config deletes it.
      const schedule = new scheduler.CfnSchedule(this, `Campaign-${campaign.id}`, {
        groupName,
        description: `Campaign ${campaign.id}: ${campaign.name}`.slice(0, 512),
        scheduleExpression: timing.expression,
        scheduleExpressionTimezone: timing.timeZone,
        // Sends must start at the announced time; the send queue already spreads the load.
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: target(campaignJobInput(campaign.id)),
      });
      schedule.node.addDependency(this.group);
      this.campaignSchedules.set(campaign.id, schedule);
    }

    const recurring = (id: string, description: string, scheduleExpression: string, input: string) => {
      const schedule = new scheduler.CfnSchedule(this, id, {
        groupName,
        description,
        scheduleExpression,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: target(input),
      });
      schedule.node.addDependency(this.group);
      return schedule;
    };
    this.releaseDeferred = recurring(
      'ReleaseDeferred',
      'Queues parked sends once they are due (quiet hours, send windows, webinar confirmations, reminders and follow-ups)',
      RELEASE_DEFERRED_EXPRESSION,
      RELEASE_DEFERRED_INPUT,
    );
    this.advanceSequences = recurring('AdvanceSequences', 'Sends the nurture sequence steps that are due and exits finished enrollments', ADVANCE_SEQUENCES_EXPRESSION, ADVANCE_SEQUENCES_INPUT);
    this.webinarSweep = recurring(
      'WebinarSweep',
      'Joins webinar registrants to contacts imported since, and finalizes sessions whose follow-ups are due without an end signal',
      WEBINAR_SWEEP_EXPRESSION,
      WEBINAR_SWEEP_INPUT,
    );
    this.publishEvents = recurring(
      'PublishEvents',
      'Publishes the event outbox (CSQL promotions and demotions for the CRM) to the stage event bus',
      PUBLISH_EVENTS_EXPRESSION,
      PUBLISH_EVENTS_INPUT,
    );
    this.qualifyAccounts = recurring(
      'QualifyAccounts',
      'Evaluates every account against the CSQL rules: promotions and demotions go to the event outbox',
      QUALIFY_ACCOUNTS_EXPRESSION,
      QUALIFY_ACCOUNTS_INPUT,
    );
  }
}
