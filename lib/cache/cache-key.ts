/**
 * The cache key (issue #14, "The key"): a SHA-256 of the provider, the effective upstream URL,
 * the upstream body after overrides and mapping, and the identity of the credential that would
 * be used. A caller never receives an answer produced with a credential they could not use: the
 * identity is part of the key, so a hit needs the same virtual key (which the caller was allowed
 * to use, checked before the lookup) or the same provider key.
 *
 * Streaming is not part of the key: a JSON answer serves a stream and the reverse. This file is
 * the one place that knows how a request says "stream" (see `STREAM_BODY_FIELDS` and
 * `STREAM_URL_FORMS`).
 */
import { createHash, createHmac } from 'node:crypto';
import type { ProviderTarget } from '../config/target.ts';

/** Whose credential the upstream call uses. */
export type CacheCredential =
  /** A virtual key, by name: everyone allowed to use it shares its entries. */
  | { kind: 'virtual-key'; name: string }
  /** The caller's own secret(s): a provider key, or an AWS key id + secret (+ session token). */
  | { kind: 'secret'; values: readonly string[] }
  /** No credential of the caller's: the function's own role (Bedrock) or an open local server. */
  | { kind: 'none' };

export interface CacheKeyInput {
  provider: string;
  /** The effective upstream URL (custom host applied). */
  url: string;
  /** The upstream body: JSON text or the object it was built from. */
  body: string | Record<string, unknown>;
  credential: CacheCredential;
  /**
   * Parameters the gateway itself acts on besides the body (a fan-out's prompts, `n`, `echo`):
   * where the engine splits a call, the previewed body may not carry them, so they are keyed too.
   */
  gatewayParams?: Record<string, unknown> | undefined;
}

/** Bumped when what the key covers changes, so old entries are never read under new rules. */
const KEY_VERSION = 'v1';

/**
 * The key of the keyed hash of caller secrets. Fixed, not random per container: every Lambda
 * instance must compute the same key for the same secret, or each container would be a cache
 * of its own. `GATEWAY_CACHE_HASH_SECRET` replaces it (see `cacheHashSecretFromEnv`).
 */
export const DEFAULT_CACHE_HASH_SECRET = 'llm-gateway/cache/credential-identity/v1';

export function cacheHashSecretFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.GATEWAY_CACHE_HASH_SECRET || DEFAULT_CACHE_HASH_SECRET;
}

/** Body fields that only say "stream" (OpenAI-compatible, Anthropic, Cohere, Mistral). */
const STREAM_BODY_FIELDS = ['stream', 'stream_options'] as const;

/**
 * URL forms that only say "stream", rewritten to the JSON form. Data, not provider code:
 * Gemini `:streamGenerateContent?alt=sse`, Bedrock `invoke-with-response-stream` and `converse-stream`.
 */
const STREAM_URL_FORMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/:streamGenerateContent\?alt=sse$/, ':generateContent'],
  [/\/invoke-with-response-stream$/, '/invoke'],
  [/\/converse-stream$/, '/converse'],
];

/**
 * @example cacheKey({ provider: 'openai', url: 'https://api.openai.com/v1/completions',
 *   body: '{"model":"m","prompt":"Hi"}', credential: { kind: 'virtual-key', name: 'openai-prod' } })
 *   // 64 hex characters
 */
export function cacheKey(input: CacheKeyInput, hashSecret: string = DEFAULT_CACHE_HASH_SECRET): string {
  const material = JSON.stringify([
    KEY_VERSION,
    input.provider,
    withoutStreamUrl(input.url),
    credentialIdentity(input.credential, hashSecret),
    canonicalBody(input.body),
    ...(input.gatewayParams ? [stableStringify(input.gatewayParams)] : []),
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/**
 * The credential a resolved target would call with. A virtual key is named even when its secret
 * has been read into the target (its name is what the caller was allowed to use). Otherwise the
 * caller's own secrets: the provider key, the AWS keys, and the values of forwarded headers,
 * since a forwarded header may carry an upstream's own authorisation.
 */
export function cacheCredentialOf(target: ProviderTarget, forwardedHeaders: Readonly<Record<string, string>> = {}): CacheCredential {
  const forwarded = Object.entries(forwardedHeaders)
    .map(([name, value]) => `${name.toLowerCase()}:${value}`)
    .sort();
  if (target.virtual_key) {
    return forwarded.length === 0 ? { kind: 'virtual-key', name: target.virtual_key } : { kind: 'secret', values: [`vk:${target.virtual_key}`, ...forwarded] };
  }
  const values = [target.api_key, target.aws_access_key_id, target.aws_secret_access_key, target.aws_session_token]
    .map((value) => value ?? '')
    .concat(forwarded);
  return values.some((value) => value !== '') ? { kind: 'secret', values } : { kind: 'none' };
}

/**
 * What identifies a credential without being it: the virtual key's name, or an HMAC of the
 * caller's secret(s). Only ever an input of the outer SHA-256, never stored or logged itself.
 */
export function credentialIdentity(credential: CacheCredential, hashSecret: string = DEFAULT_CACHE_HASH_SECRET): string {
  switch (credential.kind) {
    case 'virtual-key':
      return `vk:${credential.name}`;
    case 'secret':
      // NUL cannot occur in a header value, so ["ab", "c"] and ["a", "bc"] never meet.
      return `secret:${createHmac('sha256', hashSecret).update(credential.values.join('\0')).digest('hex')}`;
    case 'none':
      return 'none';
  }
}

/** The body without its stream fields, keys sorted: the same request always hashes the same. */
export function canonicalBody(body: string | Record<string, unknown>): string {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body; // Not JSON: no stream field to strip; hash it as sent.
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return stableStringify(value);
  const rest: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of STREAM_BODY_FIELDS) delete rest[field];
  return stableStringify(rest);
}

export function withoutStreamUrl(url: string): string {
  for (const [pattern, replacement] of STREAM_URL_FORMS) {
    if (pattern.test(url)) return url.replace(pattern, replacement);
  }
  return url;
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${stableStringify(field)}`).join(',')}}`;
}
