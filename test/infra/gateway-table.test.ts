/**
 * The table's settings and the function's least-privilege access to it (issue 13), asserted on a
 * small stack holding only the table and one function; cdk-nag's AWS Solutions pack checks the table.
 */
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, test } from 'vitest';
import { GatewayTable } from '../../infra/gateway-table.ts';
import { GATEWAY_TABLE_KEYS } from '../support/dynalite.ts';
import { expectedTableStatements } from './expected-table-statements.ts';

function synthesize(options: { removalPolicy?: RemovalPolicy; actions?: Parameters<GatewayTable['connect']>[1] } = {}) {
  const app = new App();
  const stack = new Stack(app, 'TableStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const gatewayTable = new GatewayTable(stack, 'GatewayTable', options.removalPolicy ? { removalPolicy: options.removalPolicy } : {});
  const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') });
  if (options.actions) gatewayTable.connect(fn, options.actions);
  else gatewayTable.connect(fn);
  return { app, template: Template.fromStack(stack) };
}

/** cdk-nag 3 runs as a policy-validation plugin at synth; its findings are the synth error's report. */
function nagFindings(app: App): string {
  Validations.of(app).addPlugins(new AwsSolutionsChecks());
  try {
    app.synth({ force: true });
    return '';
  } catch (error) {
    return String(error);
  }
}

function tableStatements(template: Template): Array<Record<string, unknown>> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
}

describe('the gateway table', () => {
  const { app, template } = synthesize();

  test('has the pk/sk string key schema, on demand', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', GATEWAY_TABLE_KEYS);
  });

  test('expires items by ttl, keeps point-in-time recovery, and is encrypted with KMS', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled with no key id is the AWS-managed KMS key (aws/dynamodb), not the AWS-owned default.
      SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
    });
  });

  test('is retained when the stack goes, unless told otherwise', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    synthesize({ removalPolicy: RemovalPolicy.DESTROY }).template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  test('is named to the function in GATEWAY_TABLE', () => {
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::Table'));
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { GATEWAY_TABLE: { Ref: tableId } } } });
  });

  test('gives the function GetItem and UpdateItem on this table only, and PutItem only on cache items: no Scan, Query, index or wildcard', () => {
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::Table'));
    const statements = tableStatements(template).filter((statement) => JSON.stringify(statement).includes('dynamodb:'));
    expect(statements).toEqual(expectedTableStatements(tableId!));
  });

  test('grants only the item actions asked for', () => {
    const statements = tableStatements(synthesize({ actions: ['GetItem', 'PutItem', 'UpdateItem'] }).template);
    expect(statements.find((statement) => statement.Sid === 'GatewayTableItems')?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  test('passes the AWS Solutions checks (which do find the bare test function\'s managed policy)', () => {
    const findings = nagFindings(app);
    expect(findings).toContain('TableStack/Fn/ServiceRole');
    expect(findings).not.toContain('TableStack/GatewayTable');
  });
});
