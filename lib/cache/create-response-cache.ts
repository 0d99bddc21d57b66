/**
 * The container's response cache from the environment: the DynamoDB table when `GATEWAY_TABLE`
 * is set (Lambda), else process memory (`npm start`). Settings:
 * `GATEWAY_CACHE_READ_BUDGET_MS` (default 50), `GATEWAY_CACHE_WRITE_TIMEOUT_MS` (default 1000),
 * `GATEWAY_CACHE_MEMORY_BYTES` (default 64 MiB; memory store only).
 * Ages: `GATEWAY_CACHE_MAX_AGE_SECONDS` (cache-settings.ts); key secret: `GATEWAY_CACHE_HASH_SECRET` (cache-key.ts).
 * The deployed handler's middleware: cache-middleware-from-env.ts (which loads this file on first use).
 */
import { positiveInteger } from './cache-middleware-from-env.ts';
import { processDynamoDbHttpClient } from '../store/dynamodb-http-client.ts';
import { DynamoDbCacheStore } from './dynamodb-cache-store.ts';
import { DEFAULT_MEMORY_CACHE_BYTES, MemoryCacheStore } from './memory-cache-store.ts';
import { DEFAULT_READ_BUDGET_MS, DEFAULT_WRITE_TIMEOUT_MS, ResponseCache } from './response-cache.ts';

type Env = Readonly<Record<string, string | undefined>>;

export function createResponseCache(env: Env = process.env, options: { now?: () => number } = {}): ResponseCache {
  const tableName = env.GATEWAY_TABLE;
  const store = tableName
    ? new DynamoDbCacheStore({ tableName, client: processDynamoDbHttpClient() }) // the limits' client: one pool, one resolution
    : new MemoryCacheStore({ maxBytes: positiveInteger(env, 'GATEWAY_CACHE_MEMORY_BYTES', DEFAULT_MEMORY_CACHE_BYTES), ...options });
  return new ResponseCache({
    store,
    readBudgetMs: positiveInteger(env, 'GATEWAY_CACHE_READ_BUDGET_MS', DEFAULT_READ_BUDGET_MS),
    writeTimeoutMs: positiveInteger(env, 'GATEWAY_CACHE_WRITE_TIMEOUT_MS', DEFAULT_WRITE_TIMEOUT_MS),
    ...options,
  });
}
