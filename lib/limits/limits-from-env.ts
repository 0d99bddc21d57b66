/**
 * Limits as the deployed function and `npm start` build them, once per container: the table
 * (`GATEWAY_TABLE` + the SDK's `AWS_ENDPOINT_URL_DYNAMODB`, else in-process), the store-error policy
 * (`GATEWAY_LIMITS_ON_STORE_ERROR`), and the document from the keys' source (lib/keys/limits-source.ts).
 *
 * The limiter and the table are loaded by `import()` when a document first applies: most
 * deployments have none, and every cold start would otherwise compile the counting code (~10 KB of
 * the bundle). The middleware and the document's loader, which every request runs, load at start.
 */
import type { KeyStoreSettings } from '../keys/create-key-store.ts';
import { createLimitsSource, type LimitsSourceOptions } from '../keys/limits-source.ts';
import type { TargetMiddleware } from '../routing/target-middleware.ts';
import type { GatewayTable } from '../store/gateway-table.ts';
import { readMetricsSettings } from '../usage/metrics-settings.ts';
import type { Limiter } from './create-limiter.ts';
import { createLimitsMiddleware } from './limits-middleware.ts';
import { readStoreErrorPolicy } from './limits-options.ts';
import { createLimitsDocumentLoader } from './load-limits-document.ts';
import type { LimitUsageRow } from './read-limits-usage.ts';

/** How long corrections wait for `settled()` before starting on their own. */
const SETTLE_FALLBACK_MS = 200;

export interface LimitsWiring {
  middleware: TargetMiddleware;
  /**
   * Starts the corrections the answers so far left (the edge calls it once its answer is out, so
   * their CPU is off the caller's path) and resolves when they are written: Lambda freezes what is left.
   */
  settled(): Promise<void>;
  /** The use and room per rule and caller now (the local server's `GET /limits/usage`). */
  readUsage(): Promise<LimitUsageRow[]>;
}

export interface LimitsWiringOptions extends LimitsSourceOptions {
  /** A ready table (tests); otherwise from the environment. */
  table?: GatewayTable;
  now?: () => number;
}

export function limitsFromEnv(env: NodeJS.ProcessEnv, keySettings: KeyStoreSettings, options: LimitsWiringOptions = {}): LimitsWiring {
  const now = options.now ?? Date.now;
  const policy = readStoreErrorPolicy(env);
  // One table and one limiter per container (the in-process table holds the counts), made on first use.
  let table: Promise<GatewayTable> | undefined;
  const tableOnce = () => (table ??= options.table ? Promise.resolve(options.table) : import('../store/create-gateway-table.ts').then((module) => module.createGatewayTable(env)));
  let limiter: Promise<Limiter> | undefined;
  const limiterOnce = () =>
    (limiter ??= Promise.all([import('./create-limiter.ts'), tableOnce()]).then(([module, ready]) => module.createLimiter({ table: ready, now, onStoreError: policy })));
  const loadDocument = createLimitsDocumentLoader(createLimitsSource(keySettings, options), { onStoreError: policy, now });
  const metrics = readMetricsSettings(env);
  const queued: Array<() => Promise<void>> = [];
  const running = new Set<Promise<void>>();
  let fallback: NodeJS.Timeout | undefined;

  function start(): Promise<void> {
    clearTimeout(fallback);
    fallback = undefined;
    for (const work of queued.splice(0)) {
      const settling: Promise<void> = work()
        .catch(() => undefined)
        .finally(() => running.delete(settling));
      running.add(settling);
    }
    return Promise.all(running).then(() => undefined);
  }

  function track(work: () => Promise<void>): void {
    queued.push(work);
    // A handler built without `settle` still settles, a moment later.
    fallback ??= setTimeout(start, SETTLE_FALLBACK_MS).unref();
  }

  return {
    middleware: createLimitsMiddleware({
      limiter: { reserve: (...args) => limiterOnce().then((ready) => ready.reserve(...args)) },
      loadDocument,
      track,
      onStoreError() {
        // Counted like the other metrics (EMF); no dimensions: an outage is the table's, not a model's.
        if (!metrics.enabled) return;
        process.stdout.write(
          `${JSON.stringify({ _aws: { Timestamp: now(), CloudWatchMetrics: [{ Namespace: metrics.namespace, Dimensions: [[]], Metrics: [{ Name: 'LimitStoreErrors', Unit: 'Count' }] }] }, LimitStoreErrors: 1 })}\n`,
        );
      },
    }),
    settled: start,
    async readUsage() {
      const document = await loadDocument();
      if (!document) return [];
      const [{ readLimitsUsage }, ready] = await Promise.all([import('./read-limits-usage.ts'), tableOnce()]);
      return readLimitsUsage(ready, document, now());
    },
  };
}
