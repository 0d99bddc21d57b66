/**
 * AWS's JSON protocol spoken directly: one SigV4-signed `POST /` per call (`X-Amz-Target:
 * <prefix>.<Operation>`, the input as JSON) over a keep-alive connection. The gateway's own calls
 * (DynamoDB for limits and the cache, Secrets Manager for keys and the limits document) go this way
 * rather than through the SDK's clients: an SDK client costs ~60 ms of CPU to load on a cold start
 * and ~2 ms per call (its middleware stack is rebuilt per command, schema serde, endpoint rules, a
 * signer that re-hashes everything), ~5x a plain POST. Where and as whom calls go is
 * lib/aws/resolve-aws-connection.ts.
 *
 * Throttling (the service's error types), 5xx and calls the service cannot have seen (no
 * connection) are retried within `maxAttempts` after ~base and ~2x base ms (jittered). A call sent
 * and not answered in time is not: a conditional add might then count twice. Anything else is an
 * answer and is not retried. A caller's abort signal ends the call where it is (sending, waiting, or
 * between attempts).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 * @see https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html (error type: header, then `__type`)
 */
import http from 'node:http';
import https from 'node:https';
import { sleep } from '../abortable-sleep.ts';
import { createWorkAfterSent } from '../upstream/work-after-sent.ts';
import { type AwsConnection, type AwsConnectionOptions, type AwsService, resolveAwsConnection } from './resolve-aws-connection.ts';
import { signAwsRequest } from './sign-aws-request.ts';

export interface AwsJsonService extends AwsService {
  /** For messages: `DynamoDB`, `Secrets Manager`. */
  name: string;
  /** SigV4's service name: `dynamodb`, `secretsmanager`. */
  signingName: string;
  /** `application/x-amz-json-1.0` (DynamoDB) or `-1.1` (Secrets Manager). */
  contentType: string;
  /** Before `.<Operation>` in `X-Amz-Target`: `DynamoDB_20120810`, `secretsmanager`. */
  targetPrefix: string;
  /** Error types (besides any 5xx) worth sending again: throttling, transient server faults. */
  retriedErrors: ReadonlySet<string>;
}

export interface AwsJsonClientOptions extends AwsConnectionOptions {
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  /** For the whole of one attempt, from sending to the last byte of the answer. */
  requestTimeoutMs?: number;
  /** Delay before the first retry; doubled for each further one, with jitter. */
  retryBaseDelayMs?: number;
  /** Read for the connection (tests); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** A call the service refused or that could not be made; `name` is the service's error type (or the network error's). */
export class AwsCallError extends Error {
  readonly statusCode: number | undefined;
  /** Whether sending the call again is safe and may help: throttled, a 5xx, or never seen by the service. */
  readonly retryable: boolean;

  constructor(name: string, message: string, options: { statusCode?: number; cause?: unknown; retry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.statusCode = options.statusCode;
    this.retryable = options.retry ?? (options.statusCode !== undefined && options.statusCode >= 500);
  }
}

export interface AwsJsonClient {
  /**
   * Calls `operation` (`UpdateItem`, `GetSecretValue`, ...) with `input` as JSON; resolves with its
   * JSON answer. An aborted `signal` rejects with its reason and closes the call's connection.
   */
  call<T = Record<string, unknown>>(operation: string, input: object, options?: { signal?: AbortSignal }): Promise<T>;
  /** Resolves where and as whom calls go (outside a call's budget); rejects if that fails. */
  ready(): Promise<void>;
  /** Closes idle connections (tests, scripts). */
  destroy(): void;
}

interface Resolved {
  connection: AwsConnection;
  url: URL;
  /** Where each call goes, as `http.request` options: built once, not parsed from the URL per call. */
  target: { protocol: string; hostname: string; port: string; path: string; method: 'POST'; agent: http.Agent };
}

/** Bounded by its callers: each queues at most once per container. */
const afterSent = createWorkAfterSent('an AWS call');

/**
 * Runs `work` once the process's next AWS call has been written to its socket (lib/upstream/work-after-sent.ts):
 * the place for work a cold start needs once the call has answered (building the schemas its
 * answer is checked with), done while the service answers instead of after.
 */
export function afterNextAwsCall(work: () => void): void {
  afterSent.add(work);
}

/** DynamoDB's budget (the table's calls hold a caller's first byte); other services override it. */
const DEFAULTS = { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, retryBaseDelayMs: 10 };

export function createAwsJsonClient(service: AwsJsonService, options: AwsJsonClientOptions = {}): AwsJsonClient {
  const { maxAttempts, connectionTimeoutMs, requestTimeoutMs, retryBaseDelayMs } = { ...DEFAULTS, ...definedOnly(options) };
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }) };
  let resolving: Promise<Resolved> | undefined;

  function resolve(): Promise<Resolved> {
    if (resolving) return resolving;
    resolving = resolveAwsConnection(service, options, options.env ?? process.env).then((connection) => {
      const url = new URL(connection.endpoint);
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      return { connection, url, target: { protocol: url.protocol, hostname: url.hostname, port: url.port, path: url.pathname || '/', method: 'POST' as const, agent } };
    });
    // A failed resolution (no region, no credentials) is tried afresh on the next call.
    resolving.catch(() => (resolving = undefined));
    return resolving;
  }

  /** The error for `type`: retried when the service is throttling or failed (unless `details.retry` says otherwise). */
  function fail(type: string, message: string, details: { statusCode?: number; cause?: unknown; retry?: boolean } = {}): AwsCallError {
    const retry = details.retry ?? (details.statusCode !== undefined && (details.statusCode >= 500 || service.retriedErrors.has(type)));
    return new AwsCallError(type, message, { ...details, retry });
  }

  async function attempt(resolved: Resolved, operation: string, body: string, signal: AbortSignal | undefined): Promise<unknown> {
    const { url, target, connection } = resolved;
    const credentials = await connection.credentials();
    signal?.throwIfAborted();
    const { headers } = signAwsRequest(
      { method: 'POST', url, headers: { 'content-type': service.contentType, 'x-amz-target': `${service.targetPrefix}.${operation}` }, body },
      { credentials, region: connection.region, service: service.signingName },
    );
    headers['content-length'] = String(Buffer.byteLength(body));
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise((settle, reject) => {
      let answered = false;
      const request = transport.request({ ...target, headers, ...(signal ? { signal } : {}) }, (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          clearTimeout(deadline);
          reject(signal?.aborted ? signal.reason : error);
        });
        response.on('end', () => {
          clearTimeout(deadline);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          let json: Record<string, unknown> = {};
          try {
            json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            if (status === 200) return reject(fail('SerializationException', `${service.name} ${operation} answered with malformed JSON.`, { statusCode: status }));
          }
          if (status === 200) return settle(json);
          const message = typeof json.message === 'string' ? json.message : typeof json.Message === 'string' ? json.Message : `status ${status}`;
          reject(fail(errorType(response.headers['x-amzn-errortype'], json, status), message, { statusCode: status }));
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
                ? fail('ConnectionTimeoutError', `No connection to ${service.name} within ${requestTimeoutMs} ms.`, { retry: true })
                : fail('TimeoutError', `${service.name} ${operation} took over ${requestTimeoutMs} ms.`, { retry: false }),
            );
          }),
        requestTimeoutMs,
      );
      request.on('socket', (socket) => {
        if (!socket.connecting) return;
        connecting = true;
        const waiting = setTimeout(
          () => request.destroy(fail('ConnectionTimeoutError', `No connection to ${service.name} within ${connectionTimeoutMs} ms.`, { retry: true })),
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
        if (error instanceof AwsCallError) return reject(error);
        if (signal?.aborted) return reject(signal.reason);
        // Safe to send again only when the service cannot have seen the call: no connection was made,
        // or a kept-alive connection was closed under it. Otherwise a conditional add might count twice.
        const unseen = connecting || (request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && !answered);
        reject(fail(error.name, error.message, { cause: error, retry: unseen }));
      });
      afterSent.end(request, body);
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
          if (attempts >= maxAttempts || !(error instanceof AwsCallError && error.retryable) || signal?.aborted) throw error;
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

/**
 * The error's type as the SDKs read it: the `x-amzn-errortype` header, else the body's `__type` (or
 * `code`), without a namespace (`com.amazonaws.secretsmanager#ResourceNotFoundException`) or a
 * trailing `:<uri>`.
 */
export function errorType(header: string | string[] | undefined, json: Record<string, unknown>, status: number): string {
  const raw = [typeof header === 'string' ? header : undefined, json.__type, json.code].find((value): value is string => typeof value === 'string' && value !== '');
  if (raw === undefined) return `Http${status}`;
  const type = raw.split(':')[0]!;
  return type.slice(type.lastIndexOf('#') + 1);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
