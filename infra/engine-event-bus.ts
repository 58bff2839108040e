/**
 * The engine's own EventBridge bus, one per stage (`nurture-engine-<stage>`): where the events
 * that leave the engine are published from the outbox (CSQL promotions and demotions for the CRM,
 * docs/csql-event.md), with an archive of them so any window can be replayed to a receiver that
 * missed it. It lives in the stateful stack: the CRM side (and other accounts) attach their own
 * rules to it by name, and the archive is history; tearing down the pipeline must take neither.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { CSQL_EVENT_SOURCE } from '../core/qualification/csql-promotion.ts';

/** The bus name receivers are given (a fixed name: rules elsewhere refer to it). */
export function engineEventBusName(stage: string): string {
  return `nurture-engine-${stage}`;
}

/**
 * How long published events can be replayed. Prod: a year, long enough to rebuild a CRM's view of
 * every promotion after a migration. Other stages: a month for testing receivers.
 */
export const EVENT_ARCHIVE_RETENTION = { prod: Duration.days(365), other: Duration.days(30) } as const;

export interface EngineEventBusProps {
  readonly stage: string;
  readonly isProd: boolean;
}

export class EngineEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: EngineEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: engineEventBusName(props.stage),
      description: `Nurture engine events (${props.stage}): CSQL promotions and demotions, churn risks, for the CRM (docs/csql-event.md, docs/events.md)`,
    });
    this.archive = this.bus.archive('Archive', {
      description: `Every event the nurture engine published (${props.stage}), for replay to a receiver that missed some`,
      eventPattern: { source: [CSQL_EVENT_SOURCE] },
      retention: props.isProd ? EVENT_ARCHIVE_RETENTION.prod : EVENT_ARCHIVE_RETENTION.other,
    });
    // Prod keeps both if the stack goes: receivers' rules hang on the bus, and the archive is the only replayable history.
    const removalPolicy = props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.bus.applyRemovalPolicy(removalPolicy);
    this.archive.applyRemovalPolicy(removalPolicy);
  }
}
