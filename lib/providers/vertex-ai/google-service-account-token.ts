/**
 * An OAuth2 access token for Vertex AI from a Google service-account key (the JSON a virtual
 * key's secret keeps as `vertex_service_account_json`, Portkey's name): the JWT-bearer grant.
 * A JWT signed RS256 with the account's private key is POSTed to its `token_uri`; the answer's
 * `access_token` is cached until shortly before `expires_in` runs out, and concurrent callers
 * for one account share a single exchange (one Lambda container serves many requests, and
 * Google rate-limits the token endpoint). A refresh that fails while the old token is still
 * valid answers with the old token; the next caller tries the refresh again.
 *
 * Standalone on purpose: node:crypto and fetch only, no google-auth-library (~1 MB with gaxios).
 * @see https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
 * @see https://datatracker.ietf.org/doc/html/rfc7523#section-2.1
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { AuthenticationError, UpstreamError } from '../../api/errors.ts';

/** The fields of a service-account key file the exchange uses; the file has more. */
export interface GoogleServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string | undefined;
  /** Where to exchange the JWT; Google's files say `https://oauth2.googleapis.com/token`. */
  token_uri?: string | undefined;
  project_id?: string | undefined;
}

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The lifetime asked for in the JWT: Google's maximum. */
const ASSERTION_LIFETIME_SECONDS = 3600;

export interface GoogleTokenCacheOptions {
  /** Refresh this long before the token expires (google-auth-library's eager refresh: 5 min). */
  refreshMarginMs?: number;
  /** Bound on one exchange, independent of any one caller (the exchange is shared). */
  exchangeTimeoutMs?: number;
  /** Accounts remembered at once; the least recently added is forgotten first. */
  maxEntries?: number;
  scope?: string;
  /** Injected in tests; `Date.now` otherwise. */
  now?: () => number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

const defaults = {
  refreshMarginMs: 5 * 60_000,
  exchangeTimeoutMs: 10_000,
  maxEntries: 64,
  scope: CLOUD_PLATFORM_SCOPE,
  now: () => Date.now(),
} satisfies Partial<GoogleTokenCacheOptions>;

interface CachedToken {
  accessToken: string;
  /** Past this instant (ms) the next caller starts a new exchange. */
  refreshAt: number;
  /** Until this instant (ms) Google still accepts the token: a failed refresh may fall back to it. */
  expiresAt: number;
}

interface Entry {
  token?: CachedToken;
  pending?: Promise<CachedToken>;
  privateKey: KeyObject;
}

export interface GoogleTokenCache {
  /** A valid access token for `account`, from the cache or one shared exchange. */
  getAccessToken(account: GoogleServiceAccount, options?: { signal?: AbortSignal | undefined }): Promise<string>;
}

/**
 * Parses and checks the service-account JSON (a string, as kept in a secret, or an object).
 * Messages name the missing field, never a value.
 *
 * @throws AuthenticationError (401) when it is not a usable service-account key.
 */
export function parseGoogleServiceAccount(input: unknown): GoogleServiceAccount {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new AuthenticationError('vertex_service_account_json is not valid JSON', { code: 'invalid_service_account' });
    }
  }
  if (typeof value !== 'object' || value === null) {
    throw new AuthenticationError('vertex_service_account_json must be a JSON object', { code: 'invalid_service_account' });
  }
  const record = value as Record<string, unknown>;
  for (const field of ['client_email', 'private_key'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new AuthenticationError(`vertex_service_account_json lacks ${field}`, { code: 'invalid_service_account' });
    }
  }
  const optionalString = (field: string) => (typeof record[field] === 'string' ? (record[field] as string) : undefined);
  return {
    client_email: record.client_email as string,
    private_key: record.private_key as string,
    private_key_id: optionalString('private_key_id'),
    token_uri: optionalString('token_uri'),
    project_id: optionalString('project_id'),
  };
}

/**
 * The signed assertion of the JWT-bearer grant: header `{alg: RS256, typ: JWT, kid}`, claims
 * `{iss, scope, aud: token_uri, iat, exp}`.
 *
 * @example
 * createServiceAccountJwt(account, createPrivateKey(account.private_key), { scope, nowSeconds: 1_700_000_000 })
 * // 'eyJhbGciOiJSUzI1NiIs….eyJpc3MiOi….<signature>'
 */
export function createServiceAccountJwt(
  account: GoogleServiceAccount,
  privateKey: KeyObject,
  options: { scope: string; nowSeconds: number },
): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(account.private_key_id ? { kid: account.private_key_id } : {}) };
  const claims = {
    iss: account.client_email,
    scope: options.scope,
    aud: account.token_uri ?? GOOGLE_TOKEN_URI,
    iat: options.nowSeconds,
    exp: options.nowSeconds + ASSERTION_LIFETIME_SECONDS,
  };
  const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
  // RS256 is RSASSA-PKCS1-v1_5 with SHA-256, node's default padding for an RSA key.
  const signature = sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * A token cache with single-flight refresh.
 *
 * @example
 * const tokens = createGoogleTokenCache();
 * const token = await tokens.getAccessToken(parseGoogleServiceAccount(secret.vertex_service_account_json));
 * // headers.authorization = `Bearer ${token}`
 */
export function createGoogleTokenCache(options: GoogleTokenCacheOptions = {}): GoogleTokenCache {
  const settings = { ...defaults, ...options };
  const fetchToken = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const entries = new Map<string, Entry>();

  function entryFor(account: GoogleServiceAccount): Entry {
    // The key fingerprint, not the key, names the entry: a rotated key is a new entry.
    const key = [account.client_email, account.token_uri ?? GOOGLE_TOKEN_URI, sha256(account.private_key)].join('\n');
    let entry = entries.get(key);
    if (!entry) {
      entry = { privateKey: readPrivateKey(account.private_key) };
      if (entries.size >= settings.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, entry);
    }
    return entry;
  }

  async function exchange(account: GoogleServiceAccount, entry: Entry): Promise<CachedToken> {
    const tokenUri = checkTokenUri(account.token_uri ?? GOOGLE_TOKEN_URI);
    const startedAt = settings.now();
    const assertion = createServiceAccountJwt(account, entry.privateKey, {
      scope: settings.scope,
      nowSeconds: Math.floor(startedAt / 1000),
    });
    let response: Response;
    try {
      response = await fetchToken(tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
        signal: AbortSignal.timeout(settings.exchangeTimeoutMs),
      });
    } catch (error) {
      throw new UpstreamError('Could not reach the Google token endpoint', {
        provider: 'vertex-ai',
        statusCode: 502,
        code: 'upstream_unreachable',
        isConnectionError: true,
        cause: error,
      });
    }
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) throw tokenError(response.status, body);
    const accessToken = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new UpstreamError('The Google token endpoint answered without access_token and expires_in', { provider: 'vertex-ai', statusCode: 502 });
    }
    // Counted from before the request, so network time never stretches the token's life.
    const lifetimeMs = expiresIn * 1000;
    const margin = Math.min(settings.refreshMarginMs, lifetimeMs / 2);
    return { accessToken, refreshAt: startedAt + lifetimeMs - margin, expiresAt: startedAt + lifetimeMs };
  }

  return {
    async getAccessToken(account, callOptions = {}) {
      const entry = entryFor(account);
      if (entry.token && settings.now() < entry.token.refreshAt) return entry.token.accessToken;
      if (!entry.pending) {
        // A failure is not remembered: the next caller tries again.
        entry.pending = exchange(account, entry).then(
          (token) => {
            entry.token = token;
            entry.pending = undefined;
            return token;
          },
          (error: unknown) => {
            entry.pending = undefined;
            // Stale on error: a refresh inside the margin that fails still has a valid token to give.
            if (entry.token && settings.now() < entry.token.expiresAt) return entry.token;
            throw error;
          },
        );
      }
      const token = await raceSignal(entry.pending, callOptions.signal);
      return token.accessToken;
    },
  };
}

/** One caller leaving stops its own wait, not the exchange the others share. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A signed assertion is a bearer credential for an hour: never sent in the clear off this machine. */
function checkTokenUri(tokenUri: string): string {
  let url: URL;
  try {
    url = new URL(tokenUri);
  } catch {
    throw new AuthenticationError('vertex_service_account_json has an invalid token_uri', { code: 'invalid_service_account' });
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AuthenticationError('vertex_service_account_json token_uri must use https', { code: 'invalid_service_account' });
  }
  return url.href;
}

function readPrivateKey(pem: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`not an RSA key: ${key.asymmetricKeyType}`);
    return key;
  } catch (error) {
    throw new AuthenticationError('vertex_service_account_json has an unreadable private_key', { code: 'invalid_service_account', cause: error });
  }
}

/**
 * Google answers a bad grant with 400 `invalid_grant` (wrong key, clock skew, deleted account):
 * the caller's credential is wrong, so 401. Its throttling and outages stay retryable upstream errors.
 */
function tokenError(status: number, body: Record<string, unknown> | undefined): Error {
  const code = typeof body?.error === 'string' ? body.error : null;
  const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
  const message = `Google token endpoint refused the service account (${status}${code ? ` ${code}` : ''})${description ? `: ${description}` : ''}`;
  if (status === 429 || status >= 500) return new UpstreamError(message, { provider: 'vertex-ai', statusCode: status, code });
  return new AuthenticationError(message, { statusCode: status === 403 ? 403 : 401, code: code ?? 'invalid_service_account' });
}

function base64Url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
