/**
 * EMF lines checked against the CloudWatch Embedded Metric Format specification, by a validator
 * written from the spec's text (not from our formatter).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { describe, expect, test } from 'vitest';
import { DIMENSION_SETS, formatUsageMetrics, METRIC_UNITS } from './format-emf-metrics.ts';
import { createModelDimension, readMetricsSettings } from './metrics-settings.ts';
import { writeUsage } from './record-usage.ts';
import type { UsageRecord } from './usage-record.ts';

/** The units the spec allows (those of the CloudWatch `MetricDatum` API). */
const SPEC_UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits',
  'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second',
  'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

function onlyMembers(value: Record<string, unknown>, allowed: string[], where: string, problems: string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where} has the member ${key}, which the spec does not define`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every rule of the spec's document structure; returns the broken ones (none for a valid line). */
export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  if (line !== line.trim() || line.includes('\n')) problems.push('the log event must be one JSON object with nothing before or after it');
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return ['not JSON'];
  }
  if (!isObject(root)) return ['the root node must be an object'];
  const aws = root._aws;
  if (!isObject(aws)) return ['the root must have an _aws metadata object'];
  onlyMembers(aws, ['Timestamp', 'CloudWatchMetrics'], '_aws', problems);
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12) problems.push('_aws.Timestamp must be milliseconds since the epoch');
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...problems, '_aws.CloudWatchMetrics must be an array of MetricDirective'];
  for (const directive of aws.CloudWatchMetrics as unknown[]) {
    if (!isObject(directive)) {
      problems.push('a MetricDirective must be an object');
      continue;
    }
    onlyMembers(directive, ['Namespace', 'Dimensions', 'Metrics'], 'MetricDirective', problems);
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length < 1 || directive.Namespace.length > 255) problems.push('Namespace must be a string of 1 to 255 characters');
    if (!Array.isArray(directive.Dimensions)) problems.push('Dimensions must be an array of DimensionSet');
    for (const set of (directive.Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) {
        problems.push('a DimensionSet must be an array of at most 30 dimension names');
        continue;
      }
      for (const name of set) {
        if (typeof name !== 'string') problems.push('a dimension name must be a string');
        else if (typeof root[name] !== 'string') problems.push(`the dimension ${name} must be a top-level string member`);
        else if ((root[name] as string).length < 1 || (root[name] as string).length > 1024 || !/^[\x20-\x7e]+$/.test(root[name] as string) || !(root[name] as string).trim()) problems.push(`the dimension value of ${name} must be 1..1024 printable ASCII characters`);
      }
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) problems.push('Metrics must be an array of at most 100 MetricDefinition');
    for (const definition of (directive.Metrics as unknown[]) ?? []) {
      if (!isObject(definition) || typeof definition.Name !== 'string') {
        problems.push('a MetricDefinition must have a Name');
        continue;
      }
      onlyMembers(definition, ['Name', 'Unit', 'StorageResolution'], `MetricDefinition ${definition.Name}`, problems);
      if (definition.Unit !== undefined && !SPEC_UNITS.has(definition.Unit as string)) problems.push(`${definition.Name} has the unit ${String(definition.Unit)}, not one of CloudWatch's`);
      const value = root[definition.Name];
      const numbers = Array.isArray(value) ? value : [value];
      if (numbers.length > 100 || numbers.some((item) => typeof item !== 'number' || !Number.isFinite(item))) problems.push(`the metric ${definition.Name} must be a top-level number member`);
    }
  }
  return problems;
}

const DIMENSIONS = { namespace: 'LlmGateway', provider: 'openai', model: 'gpt-4o-mini' };
const ANSWERED = { limitRejected: false };

describe('formatUsageMetrics', () => {
  test('writes a line the spec accepts, with every metric and its unit, in the directive and as members', () => {
    const line = formatUsageMetrics(record(), ANSWERED, DIMENSIONS, 1_795_000_000_000);
    expect(emfProblems(line)).toEqual([]);
    const document = JSON.parse(line);
    expect(document._aws.Timestamp).toBe(1_795_000_000_000);
    expect(document._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'LlmGateway',
        Dimensions: [['Provider', 'Model'], ['Provider'], []],
        Metrics: Object.entries(METRIC_UNITS).map(([Name, Unit]) => ({ Name, Unit })),
      },
    ]);
    // Every number member is a metric the directive names, in the same order; nothing else is a member.
    const members = Object.keys(document).filter((name) => typeof document[name] === 'number');
    expect(members).toEqual(Object.keys(METRIC_UNITS));
    expect(Object.keys(document).sort()).toEqual([...Object.keys(METRIC_UNITS), 'Model', 'Provider', '_aws'].sort());
    expect([document.Provider, document.Model]).toEqual(['openai', 'gpt-4o-mini']);
  });

  test('has exactly the dimension sets [Provider, Model], [Provider] and [] (no service name)', () => {
    expect(DIMENSION_SETS).toEqual([['Provider', 'Model'], ['Provider'], []]);
    const document = JSON.parse(formatUsageMetrics(record(), ANSWERED, { namespace: 'X', provider: 'p', model: 'm' }, Date.now()));
    expect(document._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Provider', 'Model'], ['Provider'], []]);
    expect(document._aws.CloudWatchMetrics[0].Namespace).toBe('X');
  });

  test('the validator catches what the spec forbids (it can fail)', () => {
    const valid = JSON.parse(formatUsageMetrics(record(), ANSWERED, DIMENSIONS, Date.now()));
    const broken = [
      { ...valid, Provider: undefined },
      { ...valid, Requests: 'one' },
      { ...valid, _aws: { ...valid._aws, Timestamp: '2026-01-01' } },
      { ...valid, _aws: { ...valid._aws, CloudWatchMetrics: [{ ...valid._aws.CloudWatchMetrics[0], Metrics: [{ Name: 'Requests', Unit: 'Tokens' }] }] } },
      { ...valid, _aws: { ...valid._aws, CloudWatchMetrics: [{ ...valid._aws.CloudWatchMetrics[0], Namespace: '' }] } },
      { ...valid, _aws: { ...valid._aws, Extra: 1 } },
    ];
    for (const document of broken) expect(emfProblems(JSON.stringify(document)).length, JSON.stringify(document)).toBeGreaterThan(0);
  });

  test('leaves out an unknown cost or first byte, and a cost that is not a finite number, from the members and the directive', () => {
    for (const overrides of [{ costUsd: null }, { costUsd: Number.NaN }, { costUsd: Number.POSITIVE_INFINITY }, { firstByteMs: null }, { costUsd: null, firstByteMs: null }]) {
      const line = formatUsageMetrics(record(overrides), ANSWERED, DIMENSIONS, Date.now());
      expect(emfProblems(line), JSON.stringify(overrides)).toEqual([]);
      const document = JSON.parse(line);
      const named = document._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name);
      const left = Object.keys(METRIC_UNITS).filter((name) => !(name === 'CostUsd' && 'costUsd' in overrides) && !(name === 'TimeToFirstByte' && 'firstByteMs' in overrides));
      expect(named).toEqual(left);
      expect(Object.keys(document).filter((name) => typeof document[name] === 'number')).toEqual(left);
    }
  });

  test('makes any provider or model string a valid dimension value', () => {
    for (const model of ['', '   ', 'modèle-✓', 'x'.repeat(2000), 'tab\there', 'quote"back\\slash']) {
      const line = formatUsageMetrics(record(), ANSWERED, { ...DIMENSIONS, model }, Date.now());
      expect(emfProblems(line), model).toEqual([]);
    }
  });
});

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    message: 'request', traceId: 't', caller: null, account: null, virtualKey: null, config: null, provider: 'anthropic', model: 'claude-3-haiku-20240307',
    target: null, status: 200, errorCode: null, stream: true, retries: 1, fallbacks: 2, cache: 'MISS', latencyMs: 900, firstByteMs: 150,
    promptTokens: 10, completionTokens: 20, totalTokens: 30, tokensEstimated: false, costUsd: 0.00003, ...overrides,
  };
}

/** The metric members of a request's EMF line. */
function metricsOf(overrides: Partial<UsageRecord>, facts = ANSWERED): Record<string, number> {
  const document = JSON.parse(formatUsageMetrics(record(overrides), facts, DIMENSIONS, Date.now())) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(document).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

describe('the metrics of a request', () => {
  test('a streamed answer', () => {
    expect(metricsOf({})).toEqual({
      Requests: 1, Errors: 0, Latency: 900, TimeToFirstByte: 150, PromptTokens: 10, CompletionTokens: 20, CostUsd: 0.00003,
      Retries: 1, Fallbacks: 2, StreamErrors: 0, CacheHits: 0, LimitRejections: 0,
    });
  });

  test('an in-band stream error is an error and a stream error', () => {
    expect(metricsOf({ errorCode: 'server_error' })).toMatchObject({ Errors: 1, StreamErrors: 1 });
    expect(metricsOf({ status: 502, errorCode: 'bad_gateway' })).toMatchObject({ Errors: 1, StreamErrors: 0 });
    expect(metricsOf({ stream: false, errorCode: 'server_error' })).toMatchObject({ Errors: 1, StreamErrors: 0 });
  });

  test('a limit refusal, a cache hit; unknown cost and first byte are left out, not zero', () => {
    const refused = metricsOf({ status: 429, errorCode: 'rate_limit_exceeded', firstByteMs: null, costUsd: null }, { limitRejected: true });
    expect(refused).toMatchObject({ LimitRejections: 1, Errors: 1 });
    expect('CostUsd' in refused || 'TimeToFirstByte' in refused).toBe(false);
    expect(metricsOf({ status: 429, errorCode: 'rate_limit_exceeded' }).LimitRejections).toBe(0);
    expect(metricsOf({ cache: 'HIT', costUsd: 0 })).toMatchObject({ CacheHits: 1, CostUsd: 0 });
  });
});

describe('metrics settings', () => {
  test('off unless GATEWAY_METRICS=emf; namespace defaults to LlmGateway', () => {
    expect(readMetricsSettings({}).enabled).toBe(false);
    expect(readMetricsSettings({ GATEWAY_METRICS: 'off' }).enabled).toBe(false);
    expect(readMetricsSettings({ GATEWAY_METRICS: 'emf' }).enabled).toBe(true);
    expect(readMetricsSettings({}).namespace).toBe('LlmGateway');
    expect(readMetricsSettings({ GATEWAY_METRICS_NAMESPACE: ' Team/Gateway ' }).namespace).toBe('Team/Gateway');
  });

  test('GATEWAY_METRICS_MODELS keeps listed names and prefixes; every other model is other', () => {
    const dimension = createModelDimension(' gpt-4o-mini , claude-3-*,');
    expect(dimension('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(dimension('claude-3-haiku-20240307')).toBe('claude-3-haiku-20240307');
    expect(dimension('gpt-4o')).toBe('other');
    expect(dimension('caller-chosen-garbage-123')).toBe('other');
    expect(dimension(null)).toBe('none');
    expect(readMetricsSettings({}).modelDimension('gpt-4o-mini')).toBe('other');
  });
});

describe('writeUsage', () => {
  const now = () => new Date('2026-11-27T01:00:00.000Z');

  test('writes the record line, then one valid EMF line when metrics are on', () => {
    const lines: string[] = [];
    const metrics = readMetricsSettings({ GATEWAY_METRICS: 'emf', GATEWAY_METRICS_MODELS: 'claude-3-*' });
    writeUsage(record(), { limitRejected: false }, { metrics, write: (line) => lines.push(line), now });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'info', time: '2026-11-27T01:00:00.000Z', ...record() });
    expect(emfProblems(lines[1]!)).toEqual([]);
    const emf = JSON.parse(lines[1]!);
    expect(emf).toMatchObject({ Provider: 'anthropic', Model: 'claude-3-haiku-20240307', Requests: 1, CostUsd: 0.00003, Latency: 900 });
    expect(emf._aws.Timestamp).toBe(now().getTime());
    // The EMF line carries no usage-record fields: no caller, key or trace id becomes metric noise.
    expect(Object.keys(emf).sort()).toEqual(['CacheHits', 'CompletionTokens', 'CostUsd', 'Errors', 'Fallbacks', 'Latency', 'LimitRejections', 'Model', 'PromptTokens', 'Provider', 'Requests', 'Retries', 'StreamErrors', 'TimeToFirstByte', '_aws']);
  });

  test('writes only the record when metrics are off, and whatever LOG_LEVEL says', () => {
    const lines: string[] = [];
    expect(process.env.LOG_LEVEL).toBe('silent');
    writeUsage(record({ provider: null, model: null }), { limitRejected: false }, { metrics: readMetricsSettings({}), write: (line) => lines.push(line), now });
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['request']);
  });

  test('writes the short readable line instead of JSON when asked (a terminal)', () => {
    const lines: string[] = [];
    writeUsage(record(), { limitRejected: false }, { metrics: readMetricsSettings({}), write: (line) => lines.push(line), now, readable: true });
    expect(lines).toEqual(['200 anthropic claude-3-haiku-20240307 10+20 tok $0.000030 900 ms (first byte 150 ms) stream retries 1 fallbacks 2']);
  });

  test('a request that reached no provider is counted under none', () => {
    const lines: string[] = [];
    writeUsage(record({ provider: null, model: null, status: 400, errorCode: 'invalid_request_error' }), { limitRejected: false }, { metrics: readMetricsSettings({ GATEWAY_METRICS: 'emf' }), write: (line) => lines.push(line), now });
    expect(JSON.parse(lines[1]!)).toMatchObject({ Provider: 'none', Model: 'none', Errors: 1 });
  });

  test('a provider name outside the registry is counted under other (callers cannot mint dimension values)', () => {
    const lines: string[] = [];
    const metrics = readMetricsSettings({ GATEWAY_METRICS: 'emf' });
    writeUsage(record({ provider: 'made-up-provider', status: 400, errorCode: 'unknown_provider' }), { limitRejected: false }, { metrics, write: (line) => lines.push(line), now });
    writeUsage(record({ provider: 'bedrock' }), { limitRejected: false }, { metrics, write: (line) => lines.push(line), now });
    expect(JSON.parse(lines[0]!).provider).toBe('made-up-provider');
    expect(JSON.parse(lines[1]!)).toMatchObject({ Provider: 'other' });
    expect(JSON.parse(lines[3]!)).toMatchObject({ Provider: 'bedrock' });
  });
});
