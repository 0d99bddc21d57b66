/**
 * The observability construct in a test stack (explicit env, no lookups, no bundling: an inline
 * function stands in for the gateway's), checked with CDK assertions, and its queries and rules
 * checked against the usage record's field names.
 */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { LambdaIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, test } from 'vitest';
import { GatewayObservability, type GatewayObservabilityProps, SECRET_READ_FAILED_MESSAGE, USAGE_QUERIES } from '../../infra/observability.ts';
import { DIMENSION_SETS, METRIC_UNITS } from '../../lib/usage/format-emf-metrics.ts';
import { buildUsageRecord } from '../../lib/usage/usage-record.ts';

const TEST_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

function synthesize(props: Partial<GatewayObservabilityProps> & { withTopic?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, 'ObservedGateway', { env: TEST_ENV });
  const logGroup = new LogGroup(stack, 'Logs');
  const fn = new LambdaFunction(stack, 'Fn', { code: Code.fromInline('exports.handler = async () => ({});'), handler: 'index.handler', runtime: Runtime.NODEJS_24_X, logGroup });
  const api = new RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('v1').addResource('completions').addMethod('POST', new LambdaIntegration(fn));
  const alarmTopic = props.withTopic ? new Topic(stack, 'Alarms') : undefined;
  const observability = new GatewayObservability(stack, 'Observability', { function: fn, logGroup, api, stage: api.deploymentStage, alarmTopic, ...props });
  return { stack, observability, template: Template.fromStack(stack) };
}

/** A CloudFormation string (plain or Fn::Join of parts) with every token replaced by `placeholder`. */
function flatten(value: unknown, placeholder = 'TOKEN'): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : placeholder)).join(join[0]);
  return placeholder;
}

/** The usage record's field names, from the builder itself. */
const RECORD_FIELDS = new Set(
  Object.keys(
    buildUsageRecord({
      traceId: 't', caller: null, virtualKey: null, configId: null, provider: null, model: null, targetPath: null, status: 200, errorCode: null, stream: false,
      retries: 0, fallbacks: 0, cache: null, timings: { startedAt: 0, firstByteAt: 0, lastByteAt: 0 }, usage: [], pricing: null, priceTableCostUsd: null,
    }),
  ),
);

const QUERY_WORDS = new Set(['filter', 'stats', 'sort', 'by', 'as', 'and', 'or', 'not', 'desc', 'asc', 'limit', 'sum', 'count', 'bin', 'ispresent', 'isempty']);

/** The log fields a Logs Insights query reads: every identifier that is not a keyword, function or alias. */
function fieldsOf(query: string): string[] {
  const withoutStrings = query.replace(/"[^"]*"/g, '""');
  const aliases = new Set([...withoutStrings.matchAll(/\bas\s+([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!));
  const identifiers = [...withoutStrings.matchAll(/(?<![\d.])\b[A-Za-z_][A-Za-z0-9_]*\b/g)].map((match) => match[0]);
  return identifiers.filter((word) => !QUERY_WORDS.has(word) && !aliases.has(word) && !/^\d/.test(word));
}

describe('GatewayObservability', () => {
  const { template } = synthesize({ withTopic: true });

  test('alarms on the 5xx rate, Lambda errors and throttles, stream errors and secret read failures, notifying the topic', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(5);
    const byMetric = Object.fromEntries(Object.values(alarms).map((alarm) => [alarm.Properties.MetricName as string, alarm.Properties]));
    expect(Object.keys(byMetric).sort()).toEqual(['5XXError', 'Errors', 'SecretReadFailures', 'StreamErrors', 'Throttles']);
    expect(byMetric['5XXError']).toMatchObject({ Namespace: 'AWS/ApiGateway', Statistic: 'Average', Threshold: 0.05, ComparisonOperator: 'GreaterThanThreshold' });
    expect(byMetric['5XXError']!.Dimensions.map((dimension: { Name: string }) => dimension.Name).sort()).toEqual(['ApiName', 'Stage']);
    expect(byMetric.Errors).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
    expect(byMetric.Throttles).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
    // The [] dimension set: the metric without dimensions, as the EMF lines publish it.
    expect(byMetric.StreamErrors).toMatchObject({ Namespace: 'LlmGateway', Statistic: 'Sum', Threshold: 5 });
    expect(byMetric.StreamErrors!.Dimensions).toBeUndefined();
    expect(byMetric.SecretReadFailures).toMatchObject({ Namespace: 'LlmGateway', Statistic: 'Sum', Threshold: 1 });
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  test('counts secret read failures from the log line lib/keys writes', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: `{ $.message = "${SECRET_READ_FAILED_MESSAGE}" }`,
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'LlmGateway', MetricName: 'SecretReadFailures', MetricValue: '1', DefaultValue: 0 })],
    });
    // The message is a contract between the two: the key store must still write it.
    const source = readFileSync(new URL('../../lib/keys/secret-cache.ts', import.meta.url), 'utf8');
    expect(source).toContain(`log.error('${SECRET_READ_FAILED_MESSAGE}'`);
  });

  test('Contributor Insights rules rank callers by cost and tokens, and virtual keys, over usage records', () => {
    const rules = Object.values(template.findResources('AWS::CloudWatch::InsightRule')).map((rule) => ({
      name: flatten(rule.Properties.RuleName),
      state: rule.Properties.RuleState,
      body: JSON.parse(flatten(rule.Properties.RuleBody, 'LOG_GROUP')) as Record<string, any>,
    }));
    expect(rules.map((rule) => rule.name).sort()).toEqual(['ObservedGateway-top-callers-by-cost', 'ObservedGateway-top-callers-by-tokens', 'ObservedGateway-top-virtual-keys']);
    for (const rule of rules) {
      expect(rule.state).toBe('ENABLED');
      expect(rule.body).toMatchObject({ Schema: { Name: 'CloudWatchLogRule', Version: 1 }, LogGroupNames: ['LOG_GROUP'], LogFormat: 'JSON' });
      expect(rule.body.Contribution.Filters[0]).toEqual({ Match: '$.message', In: ['request'] });
      const fields = [...rule.body.Contribution.Keys, rule.body.Contribution.ValueOf, ...rule.body.Contribution.Filters.map((filter: { Match: string }) => filter.Match)]
        .filter(Boolean)
        .map((path: string) => path.replace(/^\$\./, ''));
      for (const field of fields) expect(RECORD_FIELDS, field).toContain(field);
    }
    const byName = Object.fromEntries(rules.map((rule) => [rule.name.replace('ObservedGateway-', ''), rule.body]));
    expect(byName['top-callers-by-cost']).toMatchObject({ Contribution: { Keys: ['$.caller'], ValueOf: '$.costUsd' }, AggregateOn: 'Sum' });
    expect(byName['top-callers-by-tokens']).toMatchObject({ Contribution: { Keys: ['$.caller'], ValueOf: '$.totalTokens' }, AggregateOn: 'Sum' });
    expect(byName['top-virtual-keys']).toMatchObject({ Contribution: { Keys: ['$.virtualKey'] }, AggregateOn: 'Count' });
    // The log group named in the rules is the function's.
    const ruleBody = Object.values(template.findResources('AWS::CloudWatch::InsightRule'))[0]!.Properties.RuleBody['Fn::Join'][1];
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0]!;
    expect(ruleBody).toContainEqual({ Ref: logGroupId });
  });

  test('the dashboard shows requests, errors, p50/p99 latency and first byte, tokens and cost by provider and model, top callers', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe('ObservedGateway-gateway');
    const body = JSON.parse(flatten(dashboards[0]!.Properties.DashboardBody)) as { widgets: Array<{ type: string; properties: Record<string, any> }> };
    const titles = body.widgets.map((widget) => widget.properties.title).filter(Boolean);
    for (const title of ['Requests and errors', 'API 5xx share', 'Latency (ms)', 'Time to first byte (ms)', 'Tokens by provider', 'Cost (USD) by provider', 'Tokens by provider and model', 'Cost (USD) by provider and model', 'Alarms', 'Top callers by cost (usage records)']) {
      expect(titles).toContain(title);
    }
    const widget = (title: string) => body.widgets.find((candidate) => candidate.properties.title === title)!;
    const stats = (title: string) => widget(title).properties.metrics.map((metric: unknown[]) => (metric.at(-1) as { stat?: string }).stat);
    expect(stats('Latency (ms)')).toEqual(['p50', 'p99']);
    expect(stats('Time to first byte (ms)')).toEqual(['p50', 'p99']);
    const expressions = (title: string) => widget(title).properties.metrics.map((metric: unknown[]) => (metric[0] as { expression: string }).expression);
    expect(expressions('Cost (USD) by provider and model')).toEqual([`SEARCH('{LlmGateway,Provider,Model} MetricName="CostUsd"', 'Sum', 300)`]);
    expect(expressions('Tokens by provider')).toEqual([`SEARCH('{LlmGateway,Provider} MetricName="PromptTokens"', 'Sum', 300)`, `SEARCH('{LlmGateway,Provider} MetricName="CompletionTokens"', 'Sum', 300)`]);
    expect(widget('Top callers by cost (usage records)').properties.query).toContain('by caller');
    // Every gateway metric the dashboard names is one the gateway writes (or the metric filter counts), at a dimension set it writes.
    const named = JSON.stringify(body).match(/"LlmGateway","([A-Za-z]+)"/g)?.map((match) => match.split('","')[1]!.replace('"', '')) ?? [];
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect([...Object.keys(METRIC_UNITS), 'SecretReadFailures']).toContain(name);
    for (const match of JSON.stringify(body).matchAll(/\{LlmGateway((?:,\w+)*)\}/g)) {
      const dimensions = match[1]!.split(',').filter(Boolean);
      expect(DIMENSION_SETS.map((set) => set.join(','))).toContain(dimensions.join(','));
    }
  });

  test('saves the chargeback queries in Logs Insights, over the function log group', () => {
    const definitions = Object.values(template.findResources('AWS::Logs::QueryDefinition'));
    expect(definitions.map((definition) => definition.Properties.Name).sort()).toEqual(Object.keys(USAGE_QUERIES).map((name) => `ObservedGateway/${name}`).sort());
    for (const definition of definitions) {
      const name = (definition.Properties.Name as string).replace('ObservedGateway/', '') as keyof typeof USAGE_QUERIES;
      expect(definition.Properties.QueryString).toBe(USAGE_QUERIES[name].join('\n| '));
      expect(definition.Properties.LogGroupNames).toHaveLength(1);
    }
  });

  test('without a topic, alarms notify nobody; the namespace and thresholds follow the props', () => {
    const { template: quiet } = synthesize({ metricsNamespace: 'Team/Gateway', serverErrorRateThreshold: 0.01, streamErrorsThreshold: 0 });
    const alarms = Object.values(quiet.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    for (const alarm of alarms) expect(alarm.AlarmActions).toBeUndefined();
    expect(alarms.find((alarm) => alarm.MetricName === 'StreamErrors')).toMatchObject({ Namespace: 'Team/Gateway', Threshold: 0 });
    expect(alarms.find((alarm) => alarm.MetricName === '5XXError')).toMatchObject({ Threshold: 0.01 });
    const dashboard = Object.values(quiet.findResources('AWS::CloudWatch::Dashboard'))[0]!;
    expect(flatten(dashboard.Properties.DashboardBody)).toContain(JSON.stringify(`SEARCH('{"Team/Gateway",Provider} MetricName="CostUsd"', 'Sum', 300)`));
  });
});

describe('usage queries', () => {
  test('read only fields the usage record has', () => {
    for (const [name, lines] of Object.entries(USAGE_QUERIES)) {
      const fields = fieldsOf(lines.join('\n| '));
      expect(fields.length, name).toBeGreaterThan(0);
      for (const field of fields) expect(RECORD_FIELDS, `${name}: ${field}`).toContain(field);
    }
  });

  test('the field check catches a misspelt field (it can fail)', () => {
    expect(fieldsOf('filter message = "request" | stats sum(cost_usd) as costUsd by callerArn').filter((field) => !RECORD_FIELDS.has(field))).toEqual(['cost_usd', 'callerArn']);
  });

  test('docs/operate.md shows each query exactly as the stack saves it', () => {
    const operate = readFileSync(new URL('../../docs/operate.md', import.meta.url), 'utf8');
    for (const [name, lines] of Object.entries(USAGE_QUERIES)) expect(operate, name).toContain(lines.join('\n| '));
  });
});
