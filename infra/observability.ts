/**
 * What an operator watches (issue #12): one CloudWatch dashboard, the alarms that page, Contributor
 * Insights rules over the usage records, and the chargeback queries saved in Logs Insights.
 *
 * It reads three sources, none of which it creates: the gateway's EMF metrics (namespace
 * `GATEWAY_METRICS_NAMESPACE`, dimension sets [Provider, Model], [Provider], []), the usage records
 * (`"message":"request"` JSON lines in the function's log group), and AWS's own metrics of the
 * function and the API stage.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi, Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  CfnInsightRule,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter, QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The gateway's default metrics namespace (`GATEWAY_METRICS_NAMESPACE`). */
export const DEFAULT_METRICS_NAMESPACE = 'LlmGateway';

/**
 * The log message `lib/keys/secret-cache.ts` writes when a secret cannot be read and no cached
 * value can stand in (a test holds the two together).
 */
export const SECRET_READ_FAILED_MESSAGE = 'secret read failed';

/**
 * Chargeback and operations queries over the usage records. Field names are the usage record's
 * (DESIGN.md, "Usage record"); docs/operate.md shows the same text, and a test holds both to the
 * record's fields.
 */
export const USAGE_QUERIES = {
  'cost-per-caller-per-day': [
    'filter message = "request"',
    'stats sum(costUsd) as costUsd, sum(promptTokens) as promptTokens, sum(completionTokens) as completionTokens, sum(totalTokens) as totalTokens, count(*) as requests by caller, account, bin(1d) as day',
    'sort day desc, costUsd desc',
  ],
  'cost-per-caller-per-month': [
    'filter message = "request"',
    'stats sum(costUsd) as costUsd, sum(totalTokens) as totalTokens, count(*) as requests by caller, account, bin(1mo) as month',
    'sort month desc, costUsd desc',
  ],
  'cost-per-virtual-key-per-day': [
    'filter message = "request" and ispresent(virtualKey)',
    'stats sum(costUsd) as costUsd, sum(promptTokens) as promptTokens, sum(completionTokens) as completionTokens, count(*) as requests by virtualKey, provider, bin(1d) as day',
    'sort day desc, costUsd desc',
  ],
  'cost-per-provider-and-model': [
    'filter message = "request"',
    'stats sum(costUsd) as costUsd, sum(promptTokens) as promptTokens, sum(completionTokens) as completionTokens, count(*) as requests by provider, model',
    'sort costUsd desc',
  ],
  'unpriced-requests': [
    'filter message = "request" and ispresent(provider) and isempty(costUsd)',
    'stats count(*) as requests, sum(totalTokens) as totalTokens by provider, model',
    'sort requests desc',
  ],
  'errors-per-provider': [
    'filter message = "request" and (status >= 400 or ispresent(errorCode))',
    'stats count(*) as errors by provider, status, errorCode',
    'sort errors desc',
  ],
  'estimated-tokens-per-provider': [
    'filter message = "request"',
    'stats count(*) as requests, sum(totalTokens) as totalTokens by provider, tokensEstimated',
    'sort provider asc, tokensEstimated asc',
  ],
} as const satisfies Record<string, readonly string[]>;

export interface GatewayObservabilityProps {
  /** The completions function and its log group (where usage records and EMF lines land). */
  function: IFunction;
  logGroup: ILogGroup;
  /** The REST API and the stage callers use: its 5xx rate is the alarm that matters most. */
  api: RestApi;
  stage: Stage;
  /** Where alarms notify; none: alarms only change state (and show on the dashboard). */
  alarmTopic?: ITopic;
  /** `GATEWAY_METRICS_NAMESPACE` of the function. Default `LlmGateway`. */
  metricsNamespace?: string;
  /** Alarm when more than this share of requests ends in 5xx over 5 minutes. Default 0.05 (5%). */
  serverErrorRateThreshold?: number;
  /** Alarm when more streams than this break mid-answer in 5 minutes. Default 5. */
  streamErrorsThreshold?: number;
  /** Dashboard name. Default `${stackName}-gateway`. */
  dashboardName?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

export class GatewayObservability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: {
    serverErrorRate: Alarm;
    functionErrors: Alarm;
    functionThrottles: Alarm;
    streamErrors: Alarm;
    secretReadFailures: Alarm;
  };
  readonly insightRules: { topCallersByCost: CfnInsightRule; topCallersByTokens: CfnInsightRule; topVirtualKeys: CfnInsightRule };

  constructor(scope: Construct, id: string, props: GatewayObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    const gatewayMetric = (metricName: string, statistic: string, label?: string) =>
      new Metric({ namespace, metricName, statistic, period: FIVE_MINUTES, ...(label ? { label } : {}) });

    // Secret read failures are log lines, not metrics: a metric filter counts them.
    const secretReadFailures = new MetricFilter(this, 'SecretReadFailures', {
      logGroup: props.logGroup,
      metricNamespace: namespace,
      metricName: 'SecretReadFailures',
      filterPattern: FilterPattern.stringValue('$.message', '=', SECRET_READ_FAILED_MESSAGE),
      metricValue: '1',
      defaultValue: 0,
    }).metric({ statistic: 'Sum', period: FIVE_MINUTES });

    this.alarms = {
      // The 5XXError metric's average is the share of requests that ended in 5xx.
      serverErrorRate: new Alarm(this, 'ServerErrorRate', {
        alarmDescription: 'More than the threshold share of gateway requests ended in 5xx (API Gateway stage metric 5XXError, average).',
        metric: props.stage.metricServerError({ statistic: 'Average', period: Duration.minutes(1) }),
        threshold: props.serverErrorRateThreshold ?? 0.05,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      functionErrors: new Alarm(this, 'FunctionErrors', {
        alarmDescription: 'The completions function failed invocations (Lambda Errors): crashes and timeouts, not upstream errors.',
        metric: props.function.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      functionThrottles: new Alarm(this, 'FunctionThrottles', {
        alarmDescription: 'The completions function was throttled: concurrency limit reached, callers got 429/502.',
        metric: props.function.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      streamErrors: new Alarm(this, 'StreamErrors', {
        alarmDescription: 'Streams broke after their first byte (in-band SSE errors, gateway metric StreamErrors).',
        metric: gatewayMetric('StreamErrors', 'Sum'),
        threshold: props.streamErrorsThreshold ?? 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      secretReadFailures: new Alarm(this, 'SecretReadFailuresAlarm', {
        alarmDescription: `Secrets Manager reads failed with no cached value to serve ("${SECRET_READ_FAILED_MESSAGE}" log lines): virtual keys or configs cannot be resolved.`,
        metric: secretReadFailures,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    };
    if (props.alarmTopic) {
      const action: IAlarmAction = new SnsAction(props.alarmTopic);
      for (const alarm of Object.values(this.alarms)) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    const rule = (id: string, name: string, contribution: Record<string, unknown>, aggregateOn: 'Sum' | 'Count') =>
      new CfnInsightRule(this, id, {
        ruleName: `${stack.stackName}-${name}`,
        ruleState: 'ENABLED',
        ruleBody: stack.toJsonString({
          Schema: { Name: 'CloudWatchLogRule', Version: 1 },
          LogGroupNames: [props.logGroup.logGroupName],
          LogFormat: 'JSON',
          Contribution: { ...contribution, Filters: [{ Match: '$.message', In: ['request'] }, ...((contribution.Filters as unknown[]) ?? [])] },
          AggregateOn: aggregateOn,
        }),
      });
    this.insightRules = {
      topCallersByCost: rule('TopCallersByCost', 'top-callers-by-cost', { Keys: ['$.caller'], ValueOf: '$.costUsd' }, 'Sum'),
      topCallersByTokens: rule('TopCallersByTokens', 'top-callers-by-tokens', { Keys: ['$.caller'], ValueOf: '$.totalTokens' }, 'Sum'),
      topVirtualKeys: rule('TopVirtualKeys', 'top-virtual-keys', { Keys: ['$.virtualKey'], Filters: [{ Match: '$.virtualKey', IsPresent: true }] }, 'Count'),
    };

    for (const [name, lines] of Object.entries(USAGE_QUERIES)) {
      new QueryDefinition(this, `Query-${name}`, {
        queryDefinitionName: `${stack.stackName}/${name}`,
        queryString: new QueryString({ ...parseQuery(lines) }),
        logGroups: [props.logGroup],
      });
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `${stack.stackName}-gateway`,
      defaultInterval: Duration.hours(3),
    });
    const byProvider = (metricName: string, statistic: string) => search(namespace, ['Provider'], metricName, statistic);
    const byProviderAndModel = (metricName: string, statistic: string) => search(namespace, ['Provider', 'Model'], metricName, statistic);
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# LLM gateway\nMetrics: namespace \`${namespace}\`. Usage records: \`message = "request"\` in the function's log group; chargeback queries are saved in Logs Insights (\`${stack.stackName}/…\`).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Requests and errors', [gatewayMetric('Requests', 'Sum', 'requests'), gatewayMetric('Errors', 'Sum', 'errors'), gatewayMetric('LimitRejections', 'Sum', 'limit rejections'), gatewayMetric('CacheHits', 'Sum', 'cache hits')]),
      graph('API 5xx share', [props.stage.metricServerError({ statistic: 'Average', period: Duration.minutes(1), label: '5xx share' }), props.stage.metricClientError({ statistic: 'Average', period: Duration.minutes(1), label: '4xx share' })]),
      graph('Latency (ms)', [gatewayMetric('Latency', 'p50', 'p50'), gatewayMetric('Latency', 'p99', 'p99')]),
      graph('Time to first byte (ms)', [gatewayMetric('TimeToFirstByte', 'p50', 'p50'), gatewayMetric('TimeToFirstByte', 'p99', 'p99')]),
    );
    this.dashboard.addWidgets(
      graph('Tokens by provider', [byProvider('PromptTokens', 'Sum'), byProvider('CompletionTokens', 'Sum')]),
      graph('Cost (USD) by provider', [byProvider('CostUsd', 'Sum')]),
      graph('Tokens by provider and model', [byProviderAndModel('PromptTokens', 'Sum'), byProviderAndModel('CompletionTokens', 'Sum')]),
      graph('Cost (USD) by provider and model', [byProviderAndModel('CostUsd', 'Sum')]),
    );
    this.dashboard.addWidgets(
      graph('Retries, fallbacks, broken streams', [gatewayMetric('Retries', 'Sum', 'retries'), gatewayMetric('Fallbacks', 'Sum', 'fallbacks'), gatewayMetric('StreamErrors', 'Sum', 'stream errors')]),
      graph('Function', [
        props.function.metricInvocations({ statistic: 'Sum', period: FIVE_MINUTES }),
        props.function.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
        props.function.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
        secretReadFailures.with({ label: 'secret read failures' }),
      ]),
      new AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 12, height: 6 }),
    );
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Top callers by cost (usage records)',
        logGroupNames: [props.logGroup.logGroupName],
        queryLines: ['filter message = "request"', 'stats sum(costUsd) as costUsd, sum(totalTokens) as totalTokens, count(*) as requests by caller', 'sort costUsd desc', 'limit 10'],
        view: LogQueryVisualizationType.TABLE,
        width: 12,
        height: 6,
      }),
      new LogQueryWidget({
        title: 'Cost and tokens by provider and model (usage records)',
        logGroupNames: [props.logGroup.logGroupName],
        queryLines: [...USAGE_QUERIES['cost-per-provider-and-model'], 'limit 20'],
        view: LogQueryVisualizationType.TABLE,
        width: 12,
        height: 6,
      }),
    );
  }
}

function graph(title: string, left: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left, width: 6, height: 6 });
}

/**
 * Every series of one metric at one exact dimension set, whatever providers and models appear.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 */
function search(namespace: string, dimensions: string[], metricName: string, statistic: string): MathExpression {
  const schema = [namespace, ...dimensions].map((part) => (/^[A-Za-z0-9_]+$/.test(part) ? part : `"${part}"`)).join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"', '${statistic}', 300)`,
    usingMetrics: {},
    label: metricName,
    period: FIVE_MINUTES,
  });
}

/** A saved query's lines as QueryString props (its commands by name, in our fixed order). */
function parseQuery(lines: readonly string[]): { filterStatements?: string[]; statsStatements?: string[]; sort?: string } {
  const parts: { filterStatements?: string[]; statsStatements?: string[]; sort?: string } = {};
  for (const line of lines) {
    const [command, ...rest] = line.split(' ');
    const body = rest.join(' ');
    if (command === 'filter') parts.filterStatements = [...(parts.filterStatements ?? []), body];
    else if (command === 'stats') parts.statsStatements = [body];
    else if (command === 'sort') parts.sort = body;
    else throw new Error(`unexpected query command: ${line}`);
  }
  return parts;
}
