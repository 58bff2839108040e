/**
 * Where the alarms go: one SNS topic per stage, encrypted with a customer-managed KMS key
 * (CloudWatch cannot publish to a topic under the AWS-managed SNS key) and refusing non-TLS
 * publishers, with an email subscription when the deploy names an address
 * (`cdk deploy -c alarmEmail=ops@example.com`). Every CloudWatch alarm in the stack, whoever
 * added it, gets the topic as its alarm and OK action: an alarm nobody hears is no alarm.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmNotificationsProps {
  readonly stage: string;
  /** Subscribed to the topic by email (the address confirms the subscription once). */
  readonly email?: string;
}

export class AlarmNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: `Nurture engine alarm topic (${props.stage})`,
      enableKeyRotation: true,
      // Only encrypts alarm notifications in flight: nothing is lost when a torn-down stage deletes it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm state changes to the encrypted topic, and needs the key for it.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Nurture engine alarms (${props.stage})`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    const action = new SnsAction(this.topic);
    for (const alarm of stack.node.findAll().filter((node): node is cloudwatch.Alarm => node instanceof cloudwatch.Alarm)) {
      alarm.addAlarmAction(action);
      // OK too: whoever was paged learns that it recovered without opening the console.
      alarm.addOkAction(action);
    }
  }
}
