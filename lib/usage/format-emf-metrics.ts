/**
 * The metrics of one request as one CloudWatch Embedded Metric Format document, written by hand
 * from its usage record (one template string).
 * Powertools Metrics 2.36 writes the same line but costs cold start for it (bench/usage-measure.ts:
 * 15 KB, +4 ms quiet / +12 ms loaded over an empty module, against ~0 for this file), adds a
 * `service` dimension to every set unless told to clear it (DESIGN.md allows no other dimension),
 * and warns on stderr on every flush of our three sets ("EMF key Provider is defined as both a
 * dimension set and dimension set").
 *
 * What the spec asks, and this does: the root holds `_aws` with `Timestamp` (ms since the epoch)
 * and `CloudWatchMetrics`, one directive with `Namespace`, `Dimensions` (arrays of dimension names)
 * and `Metrics` (`Name` and `Unit`); every dimension named there is a top-level string member and
 * every metric a top-level number member. An empty dimension set publishes the metric without
 * dimensions. At most 100 metrics per directive and 30 names per dimension set.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { UsageRecord } from './usage-record.ts';

/** The units of the CloudWatch API that our metrics use. */
export type EmfUnit = 'Count' | 'Milliseconds' | 'None';

/** Our metrics and their units (DESIGN.md, "Metrics"), in the order lines carry them: dashboards and alarms query these names. */
export const METRIC_UNITS = {
  Requests: 'Count',
  Errors: 'Count',
  Latency: 'Milliseconds',
  TimeToFirstByte: 'Milliseconds',
  PromptTokens: 'Count',
  CompletionTokens: 'Count',
  CostUsd: 'None',
  Retries: 'Count',
  Fallbacks: 'Count',
  StreamErrors: 'Count',
  CacheHits: 'Count',
  LimitRejections: 'Count',
} as const satisfies Record<string, EmfUnit>;

export type MetricName = keyof typeof METRIC_UNITS;

/** Exactly these dimension sets (DESIGN.md): per provider and model, per provider, and overall. */
export const DIMENSION_SETS = [['Provider', 'Model'], ['Provider'], []] as const;

export interface RequestFacts {
  /** True when the gateway's own limits refused the request (an upstream's 429 is not ours). */
  limitRejected: boolean;
}

export interface MetricsDimensions {
  namespace: string;
  /** The `Provider` and `Model` values (bounded: lib/usage/metrics-settings.ts). */
  provider: string;
  model: string;
}

/**
 * What the dashboard and the alarms read: every request counts once in `Requests`; `Errors` is any
 * 4xx/5xx or in-band stream error; `StreamErrors` a stream that broke after its 200 went out.
 * Unknown is not zero: a missing first byte or price is left out, not averaged in as 0.
 *
 * One template rather than an object of metrics serialised in a loop: this runs once per
 * invocation, mostly in V8's first tiers and with cold caches, where the loop took ~19 µs and the
 * template ~2.5 µs (Node 24, a call every millisecond).
 * @example
 * formatUsageMetrics(record, { limitRejected: false }, { namespace: 'LlmGateway', provider: 'openai', model: 'other' }, Date.now());
 * // {"_aws":{"Timestamp":…,"CloudWatchMetrics":[{"Namespace":"LlmGateway","Dimensions":[["Provider","Model"],["Provider"],[]],
 * //   "Metrics":[{"Name":"Requests","Unit":"Count"},…]}]},"Provider":"openai","Model":"other","Requests":1,"Errors":0,…}
 */
export function formatUsageMetrics(record: UsageRecord, facts: RequestFacts, dimensions: MetricsDimensions, timestamp: number): string {
  // A metric member must be a number: NaN and Infinity would be `null` in JSON and fail the line.
  const firstByte = record.firstByteMs !== null && Number.isFinite(record.firstByteMs);
  const cost = record.costUsd !== null && Number.isFinite(record.costUsd);
  const failed = record.status >= 400 || record.errorCode !== null;
  const streamError = record.stream && record.status < 400 && record.errorCode !== null;
  return (
    `{"_aws":{"Timestamp":${Math.round(timestamp)},"CloudWatchMetrics":${directiveOf(dimensions.namespace, firstByte, cost)}},` +
    `"Provider":${dimensionValue(dimensions.provider)},"Model":${dimensionValue(dimensions.model)},"Requests":1,"Errors":${failed ? 1 : 0},` +
    `"Latency":${record.latencyMs}${firstByte ? `,"TimeToFirstByte":${record.firstByteMs}` : ''},"PromptTokens":${record.promptTokens},` +
    `"CompletionTokens":${record.completionTokens}${cost ? `,"CostUsd":${record.costUsd}` : ''},"Retries":${record.retries},"Fallbacks":${record.fallbacks},` +
    `"StreamErrors":${streamError ? 1 : 0},"CacheHits":${record.cache === 'HIT' ? 1 : 0},"LimitRejections":${facts.limitRejected ? 1 : 0}}`
  );
}

/**
 * The `CloudWatchMetrics` directive: the same for every request of a namespace but for the two
 * metrics that may be left out, so serialised once per combination and kept.
 */
const directives = new Map<string, string[]>();

function directiveOf(namespace: string, firstByte: boolean, cost: boolean): string {
  let kept = directives.get(namespace);
  if (kept === undefined) {
    kept = [false, true].flatMap((withFirstByte) =>
      [false, true].map((withCost) => {
        const names = (Object.keys(METRIC_UNITS) as MetricName[]).filter((name) => (name !== 'TimeToFirstByte' || withFirstByte) && (name !== 'CostUsd' || withCost));
        return JSON.stringify([{ Namespace: namespace, Dimensions: DIMENSION_SETS, Metrics: names.map((name) => ({ Name: name, Unit: METRIC_UNITS[name] })) }]);
      }),
    );
    // One namespace per container; a safety net all the same.
    if (directives.size >= 16) directives.clear();
    directives.set(namespace, kept);
  }
  return kept[(firstByte ? 2 : 0) + (cost ? 1 : 0)]!;
}

/**
 * CloudWatch takes 1..1024 ASCII characters, not only whitespace, no control characters, as a
 * dimension value; anything else would drop the whole line, so it is made to fit.
 */
function dimensionValue(value: string): string {
  // Every provider and model dimension value is one of a bounded few (lib/usage/metrics-settings.ts).
  let fitted = dimensionValues.get(value);
  if (fitted === undefined) {
    const ascii = value.replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 1024);
    fitted = JSON.stringify(ascii === '' ? 'none' : ascii);
    if (dimensionValues.size >= 256) dimensionValues.clear();
    dimensionValues.set(value, fitted);
  }
  return fitted;
}

/** Dimension values as JSON strings, by the value given. */
const dimensionValues = new Map<string, string>();
