/**
 * The handler's dependencies as the deployed function builds them, from the environment, once
 * per container: the custom-host guard (`GATEWAY_ALLOWED_CUSTOM_HOSTS`, default none), the key
 * store (lib/keys/create-key-store.ts), the target middlewares, outermost first (limits, then the
 * cache, so a hit still counts as a request; the price table's load starts innermost, before a
 * provider call), what each leaves running to settle before the invocation ends, and the usage
 * record written after each request (metrics per `GATEWAY_METRICS`, lib/usage/metrics-settings.ts).
 * Tests build their own instead.
 *
 * `GATEWAY_USAGE_LOG` = `line` | `json`: the usage record as one short line for a person, or as
 * JSON. Default: `line` on a terminal off Lambda (`npm start` in a shell), JSON everywhere else.
 */
import { cacheMiddlewareFromEnv } from '../../lib/cache/cache-middleware-from-env.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createKeyStore, keyStoreSettingsFromEnv } from '../../lib/keys/create-key-store.ts';
import { limitsFromEnv, type LimitsWiring } from '../../lib/limits/limits-from-env.ts';
import { createUsageRecorder, startPriceTableLoad } from '../../lib/usage/create-usage-recorder.ts';
import { readMetricsSettings } from '../../lib/usage/metrics-settings.ts';
import type { CompletionsDependencies } from './handler.ts';

export function dependenciesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  // Asked only off Lambda: reading `process.stdout` creates the stream, ~1 ms of init that the
  // first usage record (written after the first answer) pays instead.
  isTerminal: () => boolean = () => process.stdout.isTTY === true,
): CompletionsDependencies & { readLimitsUsage: LimitsWiring['readUsage'] } {
  const keySettings = keyStoreSettingsFromEnv(env);
  const limits = limitsFromEnv(env, keySettings);
  const cache = cacheMiddlewareFromEnv(env);
  return {
    customHostGuard: createCustomHostGuard(env.GATEWAY_ALLOWED_CUSTOM_HOSTS, { defaultAllowed: '' }),
    keyStore: createKeyStore(keySettings),
    middlewares: [limits.middleware, cache.middleware, startPriceTableLoad],
    settle: async () => {
      await Promise.all([limits.settled(), cache.settle()]);
    },
    onRequestFinished: createUsageRecorder({ metrics: readMetricsSettings(env), readable: readableUsage(env, isTerminal) }),
    readLimitsUsage: limits.readUsage,
  };
}

function readableUsage(env: NodeJS.ProcessEnv, isTerminal: () => boolean): boolean {
  const chosen = env.GATEWAY_USAGE_LOG?.trim().toLowerCase();
  if (chosen === 'line') return true;
  if (chosen === 'json') return false;
  return env.AWS_LAMBDA_FUNCTION_NAME === undefined && isTerminal();
}
