/**
 * The dispatcher's composition root: the DynamoDB store, the send queue, the dispatch-shard queue
 * (a campaign run's fan-out, which this function also consumes), the stage's event bus
 * (the outbox publisher) and the bundled config, built once per container. No SES client, no
 * secret, no renderer: the dispatcher decides who gets what and when, and queues it; the sender
 * renders and sends.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { EventBridgeBus } from '../../adapters/aws/eventbridge-bus.ts';
import { SqsDispatchShardQueue } from '../../adapters/aws/sqs-dispatch-shard-queue.ts';
import { SqsSendQueue } from '../../adapters/aws/sqs-send-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { DEFAULT_FAN_OUT, type FanOutPolicy } from '../../core/sending/run-fan-out.ts';
import type { EventBus, Store } from '../../core/ports.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { DISPATCHER_CONFIG_PARTS } from '../runtime/function-config-parts.ts';

/** Service name from POWERTOOLS_SERVICE_NAME; metrics namespace from POWERTOOLS_METRICS_NAMESPACE (set in infra/). */
export const logger = new Logger();
export const metrics = new Metrics();

export interface DispatcherRuntime {
  config: EngineConfig;
  store: Store;
  queue: SqsSendQueue;
  shardQueue: SqsDispatchShardQueue;
  /** Where the outbox is published (`publish-events` job). */
  bus: EventBus;
  /** How wide a campaign run fans out: at most as many workers as the shard queue runs at once. */
  fanOut: FanOutPolicy;
}

export const dispatcherRuntime = onceBuilt(async (): Promise<DispatcherRuntime> => {
  const env = readEnvironment(process.env, ['TABLE_NAME', 'SEND_QUEUE_URL', 'DISPATCH_SHARD_QUEUE_URL', 'DISPATCH_MAX_WORKERS', 'EVENT_BUS_NAME']);
  const sqs = new SQSClient({});
  return {
    config: readBundledConfig(configRootOf(env), DISPATCHER_CONFIG_PARTS),
    store: createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME),
    queue: new SqsSendQueue(sqs, env.SEND_QUEUE_URL),
    shardQueue: new SqsDispatchShardQueue(sqs, env.DISPATCH_SHARD_QUEUE_URL),
    bus: new EventBridgeBus(new EventBridgeClient({}), env.EVENT_BUS_NAME),
    fanOut: { ...DEFAULT_FAN_OUT, maxWorkers: env.DISPATCH_MAX_WORKERS },
  };
});
