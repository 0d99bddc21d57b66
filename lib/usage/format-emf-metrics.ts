/**
 * One CloudWatch Embedded Metric Format document, written by hand (a few string joins).
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

/** The units of the CloudWatch API that our metrics use. */
export type EmfUnit = 'Count' | 'Milliseconds' | 'None';

/** Our metrics and their units (DESIGN.md, "Metrics"): dashboards and alarms query these names. */
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
export type MetricValues = Partial<Record<MetricName, number>>;

/** Exactly these dimension sets (DESIGN.md): per provider and model, per provider, and overall. */
export const DIMENSION_SETS = [['Provider', 'Model'], ['Provider'], []] as const;

export interface EmfInput {
  namespace: string;
  provider: string;
  model: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  metrics: MetricValues;
}

/**
 * @example
 * formatEmfMetrics({ namespace: 'LlmGateway', provider: 'openai', model: 'gpt-4o-mini', timestamp: Date.now(), metrics: { Requests: 1 } });
 * // {"_aws":{"Timestamp":…,"CloudWatchMetrics":[{"Namespace":"LlmGateway","Dimensions":[["Provider","Model"],["Provider"],[]],
 * //   "Metrics":[{"Name":"Requests","Unit":"Count"}]}]},"Provider":"openai","Model":"gpt-4o-mini","Requests":1}
 */
export function formatEmfMetrics(input: EmfInput): string {
  let names = '';
  let values = '';
  for (const name of METRIC_NAMES) {
    const value = input.metrics[name];
    // A metric member must be a number: NaN and Infinity would be `null` in JSON and fail the line.
    if (value === undefined || !Number.isFinite(value)) continue;
    names += `${name},`;
    // A finite number's JSON is its string form.
    values += `,"${name}":${value}`;
  }
  const directive = directiveOf(input.namespace, names);
  return `{"_aws":{"Timestamp":${Math.round(input.timestamp)},"CloudWatchMetrics":${directive}},"Provider":${dimensionValue(input.provider)},"Model":${dimensionValue(input.model)}${values}}`;
}

const METRIC_NAMES = Object.keys(METRIC_UNITS) as MetricName[];

/**
 * The line is assembled from strings rather than one `JSON.stringify` of a fresh object: it is
 * written once per request, and its `CloudWatchMetrics` directive is the same for every request
 * that reports the same metrics (a handful of combinations), so it is serialised once and kept.
 */
const directives = new Map<string, string>();

function directiveOf(namespace: string, names: string): string {
  const key = `${namespace}\u0000${names}`;
  let directive = directives.get(key);
  if (directive === undefined) {
    const metrics = names
      .split(',')
      .filter(Boolean)
      .map((name) => ({ Name: name, Unit: METRIC_UNITS[name as MetricName] }));
    directive = JSON.stringify([{ Namespace: namespace, Dimensions: DIMENSION_SETS, Metrics: metrics }]);
    // Bounded by the metric combinations; a safety net all the same.
    if (directives.size >= 64) directives.clear();
    directives.set(key, directive);
  }
  return directive;
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
