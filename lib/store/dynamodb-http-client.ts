/**
 * DynamoDB's JSON protocol spoken directly: one signed POST per call over a keep-alive connection.
 * The SDK's client costs ~2 ms of CPU per call here (its middleware stack is rebuilt per command,
 * schema serde, endpoint rules, a signer that re-hashes everything), ~5x a plain POST, and a
 * limited request makes a few calls on the thread that serves the caller. The SDK still decides
 * *where* and *as whom* (region, `AWS_ENDPOINT_URL_DYNAMODB` or a profile's endpoint, the credential
 * chain): it is imported once, on first use, for its resolved configuration only.
 *
 * Throttling (`ThrottlingException`, `ProvisionedThroughputExceededException`, `RequestLimitExceeded`),
 * 5xx and calls DynamoDB cannot have seen (no connection) are retried within `maxAttempts` after ~10
 * and ~20 ms (jittered). A call sent and not answered in time is not: a conditional add might then
 * count twice. Anything else is an answer (a failed condition among them) and is not retried. A
 * caller's abort signal ends the call where it is (sending, waiting, or between attempts).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
import http from 'node:http';
import https from 'node:https';
import { type AwsCredentials, signAwsRequest } from '../aws/sign-aws-request.ts';
import { sleep } from '../abortable-sleep.ts';

export interface DynamoDbConnection {
  /** Where calls go; default: as the SDK resolves it (`AWS_ENDPOINT_URL_DYNAMODB`, a profile, the region's). */
  endpoint?: string;
  /** Default: as the SDK resolves it (`AWS_REGION`, a profile). */
  region?: string;
  /** Default: the SDK's credential chain (environment on Lambda). */
  credentials?: AwsCredentials;
}

export interface DynamoDbHttpOptions extends DynamoDbConnection {
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  /** For the whole of one attempt, from sending to the last byte of the answer. */
  requestTimeoutMs?: number;
  /** Delay before the first retry; doubled for each further one, with jitter. */
  retryBaseDelayMs?: number;
}

const RETRIED = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable']);

/** A call DynamoDB refused or that could not be made; `name` is DynamoDB's error type (or the network error's). */
export class DynamoDbCallError extends Error {
  readonly statusCode: number | undefined;
  /** Whether sending the call again is safe and may help: throttled, a 5xx, or never seen by DynamoDB. */
  readonly retryable: boolean;

  constructor(name: string, message: string, options: { statusCode?: number; cause?: unknown; retry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.statusCode = options.statusCode;
    this.retryable = options.retry ?? (options.statusCode !== undefined && (options.statusCode >= 500 || RETRIED.has(name)));
  }
}

export interface DynamoDbHttpClient {
  /**
   * Calls `operation` (`UpdateItem`, `GetItem`, ...) with `input` as DynamoDB's JSON; resolves with
   * its JSON answer. An aborted `signal` rejects with its reason and closes the call's connection.
   */
  call<T = Record<string, unknown>>(operation: string, input: object, options?: { signal?: AbortSignal }): Promise<T>;
  /** Resolves where and as whom calls go (the SDK's configuration, imported on first use); rejects if that fails. */
  ready(): Promise<void>;
  /** Closes idle connections (tests, scripts). */
  destroy(): void;
}

interface Resolved {
  url: URL;
  /** Where each call goes, as `http.request` options: built once, not parsed from the URL per call. */
  target: { protocol: string; hostname: string; port: string; path: string; method: 'POST'; agent: http.Agent };
  region: string;
  credentials: () => Promise<AwsCredentials>;
}

export function createDynamoDbHttpClient(options: DynamoDbHttpOptions = {}): DynamoDbHttpClient {
  const maxAttempts = options.maxAttempts ?? 3;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 1_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 2_000;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 10;
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }) };
  let resolving: Promise<Resolved> | undefined;

  function resolve(): Promise<Resolved> {
    if (resolving) return resolving;
    resolving = resolveConnection(options).then(({ endpoint, region, credentials }) => {
      const url = new URL(endpoint);
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      return {
        url,
        target: { protocol: url.protocol, hostname: url.hostname, port: url.port, path: url.pathname || '/', method: 'POST' as const, agent },
        region,
        credentials,
      };
    });
    // A failed resolution (no region, no credentials) is tried afresh on the next call.
    resolving.catch(() => (resolving = undefined));
    return resolving;
  }

  async function attempt(resolved: Resolved, operation: string, body: string, signal: AbortSignal | undefined): Promise<unknown> {
    const { url, target } = resolved;
    const credentials = await resolved.credentials();
    signal?.throwIfAborted();
    const { headers } = signAwsRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` }, body },
      { credentials, region: resolved.region, service: 'dynamodb' },
    );
    headers['content-length'] = String(Buffer.byteLength(body));
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise((settle, fail) => {
      let answered = false;
      const request = transport.request({ ...target, headers, ...(signal ? { signal } : {}) }, (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          clearTimeout(deadline);
          fail(signal?.aborted ? signal.reason : error);
        });
        response.on('end', () => {
          clearTimeout(deadline);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          let json: Record<string, unknown> = {};
          try {
            json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            if (status === 200) return fail(new DynamoDbCallError('SerializationException', `DynamoDB ${operation} answered with malformed JSON.`, { statusCode: status }));
          }
          if (status === 200) return settle(json);
          const type = typeof json.__type === 'string' ? json.__type.slice(json.__type.lastIndexOf('#') + 1) : `Http${status}`;
          const message = typeof json.message === 'string' ? json.message : typeof json.Message === 'string' ? json.Message : `status ${status}`;
          fail(new DynamoDbCallError(type, message, { statusCode: status }));
        });
      });
      let connecting = false;
      // Checked once more after the poll phase: when the event loop was blocked past the deadline, an
      // answer that arrived meanwhile is read first, not thrown away (and the call then sent again).
      const deadline = setTimeout(
        () =>
          setImmediate(() => {
            if (answered) return;
            request.destroy(
              connecting
                ? new DynamoDbCallError('ConnectionTimeoutError', `No connection to DynamoDB within ${requestTimeoutMs} ms.`, { retry: true })
                : new DynamoDbCallError('TimeoutError', `DynamoDB ${operation} took over ${requestTimeoutMs} ms.`),
            );
          }),
        requestTimeoutMs,
      );
      request.on('socket', (socket) => {
        if (!socket.connecting) return;
        connecting = true;
        const waiting = setTimeout(
          () => request.destroy(new DynamoDbCallError('ConnectionTimeoutError', `No connection to DynamoDB within ${connectionTimeoutMs} ms.`, { retry: true })),
          connectionTimeoutMs,
        );
        socket.once('connect', () => {
          connecting = false;
          clearTimeout(waiting);
        });
        socket.once('close', () => clearTimeout(waiting));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(deadline);
        if (error instanceof DynamoDbCallError) return fail(error);
        if (signal?.aborted) return fail(signal.reason);
        // Safe to send again only when DynamoDB cannot have seen the call: no connection was made, or
        // a kept-alive connection was closed under it. Otherwise a conditional add might count twice.
        const unseen = connecting || (request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && !answered);
        fail(new DynamoDbCallError(error.name, error.message, { cause: error, retry: unseen }));
      });
      request.end(body);
    });
  }

  return {
    async call<T>(operation: string, input: object, callOptions: { signal?: AbortSignal } = {}): Promise<T> {
      const { signal } = callOptions;
      const resolved = await resolve();
      const body = JSON.stringify(input);
      for (let attempts = 1; ; attempts++) {
        try {
          return (await attempt(resolved, operation, body, signal)) as T;
        } catch (error) {
          if (attempts >= maxAttempts || !(error instanceof DynamoDbCallError && error.retryable) || signal?.aborted) throw error;
          // Full jitter over the doubled base: concurrent callers hitting one throttled item spread out.
          await sleep(Math.round(retryBaseDelayMs * 2 ** (attempts - 1) * (0.5 + Math.random() / 2)), signal);
        }
      }
    },
    async ready() {
      await resolve();
    },
    destroy() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

let processClient: DynamoDbHttpClient | undefined;

/**
 * The process's client for its table as the environment configures it (the SDK's resolution): the
 * limits and the response cache share it, so one keep-alive pool and one resolution serve both
 * rather than two connections (and two TLS handshakes) per container.
 */
export function processDynamoDbHttpClient(): DynamoDbHttpClient {
  return (processClient ??= createDynamoDbHttpClient());
}

/** What was not given, from the SDK's own configuration resolution (imported only then). */
async function resolveConnection(options: DynamoDbConnection): Promise<{ endpoint: string; region: string; credentials: () => Promise<AwsCredentials> }> {
  if (options.endpoint && options.region && options.credentials) {
    const credentials = options.credentials;
    return { endpoint: options.endpoint, region: options.region, credentials: async () => credentials };
  }
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { config } = new DynamoDBClient(options.region ? { region: options.region } : {});
  const region = options.region ?? (await config.region());
  const configured = options.endpoint ?? (await (config as { serviceConfiguredEndpoint?: () => Promise<string | undefined> }).serviceConfiguredEndpoint?.());
  const endpoint =
    configured ??
    config.endpointProvider({ Region: region, UseFIPS: await config.useFipsEndpoint(), UseDualStack: await config.useDualstackEndpoint() }).url.href;
  const given = options.credentials;
  // The chain's provider is memoised by the SDK (refreshed before expiry); a call costs a promise.
  const credentials = given ? async () => given : async () => (await config.credentials()) as AwsCredentials;
  return { endpoint, region, credentials };
}
