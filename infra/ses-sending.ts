/**
 * What the engine sends through in SES, derived from the senders config: the configuration
 * sets it creates, and the identity and configuration-set ARNs the sender may use. The
 * identities themselves are verified out of band (DNS records are not this app's to own).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { Senders } from '../core/config/schema/settings.ts';

export interface SesSendingNames {
  /** From addresses and their domains: SES authorises against whichever identity is verified. */
  readonly identities: string[];
  readonly configurationSets: string[];
}

export function sesSendingNames(senders: Senders): SesSendingNames {
  const identities = new Set<string>();
  const configurationSets = new Set<string>();
  for (const sender of senders.identities) {
    identities.add(sender.email);
    identities.add(sender.email.slice(sender.email.lastIndexOf('@') + 1));
    configurationSets.add(sender.configurationSet);
  }
  return { identities: [...identities], configurationSets: [...configurationSets] };
}

export interface SesSendingProps {
  readonly senders: Senders;
}

export class SesSending extends Construct {
  readonly names: SesSendingNames;
  readonly configurationSets: ses.ConfigurationSet[];

  constructor(scope: Construct, id: string, props: SesSendingProps) {
    super(scope, id);
    this.names = sesSendingNames(props.senders);
    this.configurationSets = this.names.configurationSets.map(
      (name) =>
        new ses.ConfigurationSet(this, `ConfigurationSet-${name}`, {
          // The name is the contract with config (senders.identities[].configurationSet).
          configurationSetName: name,
          reputationMetrics: true,
          sendingEnabled: true,
          // Never mail an address that bounced or complained, even if our own list misses it.
          suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        }),
    );
  }

  /** ses:SendEmail on exactly the configured identities and configuration sets. */
  sendEmailStatement(): iam.PolicyStatement {
    const stack = Stack.of(this);
    return new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        ...this.names.identities.map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
        ...this.names.configurationSets.map((name) => stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: name })),
      ],
    });
  }
}
