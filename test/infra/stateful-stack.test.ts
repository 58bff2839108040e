/**
 * Infra tests: the synthesized table matches the shared table design, the link-signing
 * secret and the ingest token are generated in the stateful stack, prod vs non-prod retention differs as intended,
 * and the cdk-nag gate both passes the real app and demonstrably catches a non-compliant resource.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GSIS, TABLE_KEYS } from '../../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { buildApp, type BuiltApp } from '../../infra/build-app.ts';
import { IN_MEMORY, SKIP_BUNDLING, loadShippedConfig, makeOutdir, removeOutdir, synthWithNag as synthesize, type NagOutcome } from './synth-app.ts';

let config: EngineConfig;
beforeAll(async () => {
  config = await loadShippedConfig();
});

// Only the stateless stack has Lambda code; these tests never need it bundled.
const CONTEXT = { ...IN_MEMORY, ...SKIP_BUNDLING };

function build(stage: string, outdir?: string): BuiltApp {
  return buildApp({ config, stage, appProps: { autoSynth: false, context: { ...CONTEXT }, ...(outdir ? { outdir } : {}) } });
}

function tableTemplate(stage: string): { template: Template; built: BuiltApp } {
  const built = build(stage);
  return { template: Template.fromStack(built.stateful), built };
}

/** The real app (cdk-nag registered exactly as `cdk synth` does), plus whatever the test adds. */
function synthWithNag(addConstructs?: (app: BuiltApp['app']) => void): NagOutcome {
  const outdir = makeOutdir();
  try {
    const { app } = build('dev', outdir);
    addConstructs?.(app);
    return synthesize(app, outdir);
  } finally {
    removeOutdir(outdir);
  }
}

// The first synth in a worker lazily loads much of aws-cdk-lib (~4 s here), so the 5 s default is too tight.
const SUITE = { timeout: 30_000 } as const;

describe('StatefulStack table', SUITE, () => {
  it('is named per stage', () => {
    expect(build('dev').stateful.stackName).toBe('NurtureEngine-dev-Stateful');
    expect(build('prod').stateful.stackName).toBe('NurtureEngine-prod-Stateful');
  });

  it('defaults the stage to dev and rejects stages unusable in stack names', () => {
    expect(buildApp({ config, appProps: { autoSynth: false, context: { ...CONTEXT } } }).stage).toBe('dev');
    expect(buildApp({ config, appProps: { autoSynth: false, context: { ...CONTEXT, stage: 'prod' } } }).stage).toBe('prod');
    expect(() => build('Prod_1')).toThrow(/Invalid stage/);
  });

  it('creates exactly one table keyed on PK/SK strings', () => {
    const { template } = tableTemplate('dev');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(TABLE_KEYS).toMatchObject({ partitionKey: 'PK', sortKey: 'SK' });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ]),
    });
  });

  it('has GSI1 and GSI2 with string keys and ALL projection', () => {
    const { template } = tableTemplate('dev');
    const gsi = (name: string) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: `${name}PK`, KeyType: 'HASH' },
        { AttributeName: `${name}SK`, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([gsi('GSI1'), gsi('GSI2')]),
      AttributeDefinitions: Match.arrayWith(
        ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
    });
    // Every index in the shared design is deployed, and nothing else.
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    const deployed = (table?.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string }>).map((i) => i.IndexName);
    expect(deployed.sort()).toEqual(GSIS.map((g) => g.indexName).sort());
  });

  it('expires items on expiresAt, bills on demand, keeps PITR and AWS-managed encryption', () => {
    const { template } = tableTemplate('dev');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSE on with no key id = the AWS-managed aws/dynamodb KMS key.
      SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
      ProvisionedThroughput: Match.absent(),
    });
  });

  it('streams new and old images of every change, and exports the stream for the KPI counters in the stateless stack', () => {
    const { template, built } = tableTemplate('dev');
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    // The stateless stack's event source reads it through a strong reference: CloudFormation keeps the stream while it is read.
    const streamArn = { 'Fn::GetAtt': [built.stateful.getLogicalId(built.stateful.table.node.defaultChild as CfnTable), 'StreamArn'] };
    const outputs = Object.values(template.findOutputs('*')) as Array<{ Value: unknown; Export?: { Name: string } }>;
    const exported = outputs.filter((output) => JSON.stringify(output.Value) === JSON.stringify(streamArn));
    expect(exported).toHaveLength(1);
    expect(exported[0]?.Export?.Name).toMatch(/^NurtureEngine-dev-Stateful:ExportsOutputFnGetAttTable.*StreamArn/);
  });

  it('retains and deletion-protects the prod table', () => {
    const { template } = tableTemplate('prod');
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });

  it('lets non-prod tables be destroyed with the stack', () => {
    for (const stage of ['dev', 'staging']) {
      const { template } = tableTemplate(stage);
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    }
  });

  it('outputs the table name', () => {
    const { template, built } = tableTemplate('dev');
    const tableLogicalId = built.stateful.getLogicalId(built.stateful.table.node.defaultChild as CfnTable);
    template.hasOutput('TableName', { Value: { Ref: tableLogicalId } });
  });
});

/** The one secret whose logical id starts with `prefix`, as the template has it. */
function secretOf(template: Template, prefix: string): { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string } {
  const found = Object.entries(template.findResources('AWS::SecretsManager::Secret')).filter(([id]) => id.startsWith(prefix));
  expect(found, `secrets starting with ${prefix}`).toHaveLength(1);
  return found[0]![1] as { Properties: Record<string, unknown> };
}

describe('StatefulStack secrets', SUITE, () => {
  // One dev and one prod template for the whole block: each build costs about a second.
  let dev: Template;
  let prod: Template;
  beforeAll(() => {
    dev = tableTemplate('dev').template;
    prod = tableTemplate('prod').template;
  }, 30_000);

  it('holds exactly the link-signing key, the ingest token, the Zoom webhook token and the dashboard key', () => {
    dev.resourceCountIs('AWS::SecretsManager::Secret', 4);
  });

  it.each(['LinkSigningSecret', 'IngestTokenSecret', 'DashboardSecret'])('generates %s in Secrets Manager: 64 characters, no punctuation or spaces', (prefix) => {
    const secret = secretOf(dev, prefix);
    expect(secret.Properties).toMatchObject({ GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } });
    // Generated, never a literal in the template.
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it.each(['LinkSigningSecret', 'IngestTokenSecret', 'ZoomWebhookSecret'])('keeps %s on a prod stack delete (sent links, configured clients and the Zoom app depend on it), not on a dev one', (prefix) => {
    expect(secretOf(prod, prefix)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(secretOf(dev, prefix)).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  it('outputs the ingest token secret ARN for operators to hand to clients', () => {
    const secretId = Object.keys(dev.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('IngestTokenSecret'));
    dev.hasOutput('IngestTokenSecretArn', { Value: { Ref: secretId } });
  });

  it('starts the Zoom webhook token as a generated placeholder (no literal in the template) and outputs its ARN for ops to put Zoom\'s token in', () => {
    const secret = secretOf(dev, 'ZoomWebhookSecret');
    expect(secret.Properties.GenerateSecretString).toMatchObject({ ExcludePunctuation: true, IncludeSpace: false });
    // readSecret refuses a value shorter than 16 characters: the placeholder must pass it, and forge nothing.
    expect((secret.Properties.GenerateSecretString as { PasswordLength: number }).PasswordLength).toBeGreaterThanOrEqual(16);
    expect(secret.Properties.SecretString).toBeUndefined();
    const secretId = Object.keys(dev.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('ZoomWebhookSecret'));
    dev.hasOutput('ZoomWebhookSecretArn', { Value: { Ref: secretId } });
  });
});

describe('cdk-nag (AwsSolutions) gate', SUITE, () => {
  it('passes the real app with no unacknowledged errors or warnings', () => {
    const { error, findings } = synthWithNag();
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('reports a deliberately non-compliant construct, proving the harness can fail', () => {
    const { error, findings } = synthWithNag((app) => {
      // No DLQ (AwsSolutions-SQS3) and no SSL-only policy (AwsSolutions-SQS4).
      new sqs.Queue(new Stack(app, 'NagProbe'), 'Queue');
    });
    expect(error?.message).toMatch(/AwsSolutions-SQS3/);
    expect(error?.message).toMatch(/AwsSolutions-SQS4/);
    expect(findings).toEqual(
      expect.arrayContaining([
        { ruleName: 'AwsSolutions-SQS3', severity: 'error', constructPaths: ['NagProbe/Queue/Resource'] },
        { ruleName: 'AwsSolutions-SQS4', severity: 'error', constructPaths: ['NagProbe/Queue/Resource'] },
      ]),
    );
    // The probe's findings are the only ones: the stateful stack stays clean alongside it.
    expect(findings.flatMap((f) => f.constructPaths).every((p) => p.startsWith('NagProbe/'))).toBe(true);
  });

  it('leaves no CDK warning or error annotations on the stateful stack', () => {
    const { stateful } = build('prod');
    const annotations = Annotations.fromStack(stateful);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });
});
