/**
 * What the stack deploys for issue #12: EMF metrics switched on in the function's environment,
 * the dashboard, alarms and Contributor Insights rules over the function's own log group, an
 * optional SNS topic for the alarms, optional X-Ray tracing; cdk-nag stays clean with them.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, test } from 'vitest';
import { functionPolicyStatements, synthesizeGateway, TEST_ENV } from './synthesize-gateway.ts';

function functionOf(template: ReturnType<typeof synthesizeGateway>['template']): Record<string, any> {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  return fn!.Properties as Record<string, any>;
}

describe('usage metrics, dashboard and alarms in the gateway stack', () => {
  test('the function writes EMF metrics; GATEWAY_METRICS_MODELS only when models are named', () => {
    expect(functionOf(synthesizeGateway().template).Environment.Variables).toMatchObject({ GATEWAY_METRICS: 'emf' });
    expect(functionOf(synthesizeGateway().template).Environment.Variables.GATEWAY_METRICS_MODELS).toBeUndefined();
    const named = functionOf(synthesizeGateway({ metricsModels: ['gpt-4o-mini', 'claude-3-*'] }).template);
    expect(named.Environment.Variables.GATEWAY_METRICS_MODELS).toBe('gpt-4o-mini,claude-3-*');
  });

  test('deploys one dashboard, the alarms and three Contributor Insights rules over the function\u2019s own log group', () => {
    const { template } = synthesizeGateway();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::CloudWatch::InsightRule', 3);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThanOrEqual(5);
    const logGroupRef = functionOf(template).LoggingConfig.LogGroup.Ref as string;
    for (const rule of Object.values(template.findResources('AWS::CloudWatch::InsightRule'))) {
      expect(JSON.stringify(rule.Properties.RuleBody)).toContain(logGroupRef);
    }
    // Without a topic, alarms only change state.
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });

  test('alarms notify the SNS topic given', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const topicStack = new Stack(app, 'Topics', { env: TEST_ENV });
    const alarmTopic = new Topic(topicStack, 'Pager');
    const { template } = synthesizeGateway({ alarmTopic: Topic.fromTopicArn(topicStack, 'Imported', `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:pager`) });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(5);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([`arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:pager`]);
    expect(alarmTopic.topicName).toBeDefined();
  });

  test('X-Ray active tracing is opt-in, for the function and the stage', () => {
    const plain = synthesizeGateway().template;
    expect(functionOf(plain).TracingConfig).toBeUndefined();
    expect(Object.values(plain.findResources('AWS::ApiGateway::Stage'))[0]!.Properties.TracingEnabled).toBe(false);
    expect(JSON.stringify(functionPolicyStatements(plain))).not.toContain('xray:');

    const traced = synthesizeGateway({ tracing: true }).template;
    expect(functionOf(traced).TracingConfig).toEqual({ Mode: 'Active' });
    expect(Object.values(traced.findResources('AWS::ApiGateway::Stage'))[0]!.Properties.TracingEnabled).toBe(true);
    expect(functionPolicyStatements(traced)).toContainEqual(expect.objectContaining({ Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' }));
  });

  test('cdk-nag finds nothing open with tracing and an alarm topic', () => {
    const app = new App();
    const topic = Topic.fromTopicArn(new Stack(app, 'T', { env: TEST_ENV }), 'Pager', `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:pager`);
    const { stack } = synthesizeGateway({ tracing: true, alarmTopic: topic, metricsModels: ['gpt-4o-mini'] });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`))).toEqual([]);
  });
});
