/**
 * A loopback emulator of the Lambda Runtime API: the HTTP server a runtime client (AWS's
 * `aws-lambda-ric`, the one `nodejs24.x` runs) polls for events and posts answers to. It hands
 * out queued invocations on `GET /runtime/invocation/next` (long poll) and takes answers on
 * `POST …/response` (buffered, or streamed in chunks with error trailers), `POST …/error` and
 * `POST /runtime/init/error`, so a test or the benchmark can drive a real runtime process the
 * way Lambda's own service does, and watch each byte arrive.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';
const STREAMING_MODE_HEADER = 'lambda-runtime-function-response-mode';
const ERROR_TYPE = 'lambda-runtime-function-error-type';
const ERROR_BODY = 'lambda-runtime-function-error-body';

/** How an invocation ended, as the Runtime API saw it. */
export type InvocationOutcome =
  /** The answer was posted whole (buffered) or the stream ended without error trailers. */
  | { kind: 'response' }
  /** `POST …/error`, or a stream that ended with `Lambda-Runtime-Function-Error-Type` trailers. */
  | { kind: 'error'; errorType: string; errorBody: unknown; afterBytes: number }
  /** The runtime's connection closed mid-answer, or the process died: no answer at all. */
  | { kind: 'aborted'; reason: string };

/** One invocation as the Runtime API sees it: the raw answer bytes as they arrive, and its end. */
export interface Invocation {
  requestId: string;
  /** True once the runtime answered with `Lambda-Runtime-Function-Response-Mode: streaming`. */
  streamed: boolean;
  /** The `Content-Type` the runtime posted its answer with. */
  contentType: string | undefined;
  /** Each chunk of the answer's body as the runtime sent it, with when it arrived (performance.now()). */
  onChunk(listener: (chunk: Buffer, at: number) => void): void;
  /** Every chunk received so far. */
  chunks: Buffer[];
  /** Settles when the answer ends (never rejects). */
  done: Promise<InvocationOutcome>;
}

export interface InvokeOptions {
  /** `Lambda-Runtime-Deadline-Ms` from now; default 15 minutes. */
  timeoutMs?: number;
  /** Defaults to a fresh UUID. */
  requestId?: string;
  traceId?: string;
}

export interface RuntimeApiEmulator {
  /** `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  address: string;
  /** The ARN the emulator reports as `Lambda-Runtime-Invoked-Function-Arn`. */
  functionArn: string;
  /** Queues an event; the runtime picks it up on its next `/next`. */
  invoke(event: unknown, options?: InvokeOptions): Invocation;
  /** When each `/next` arrived (performance.now()); the first one ends the runtime's init. */
  nextPolls: number[];
  /** Resolves at the next `/next` poll (or at once when one is already waiting). */
  waitForNextPoll(): Promise<number>;
  /** Errors posted to `/init/error`. */
  initErrors: Array<{ errorType: string | undefined; body: unknown }>;
  /** Fails what is pending (the runtime process died): open invocations end as `aborted`. */
  abortPending(reason: string): void;
  close(): Promise<void>;
}

interface PendingInvocation {
  invocation: Invocation;
  event: string;
  deadline: number;
  traceId: string;
  emit(chunk: Buffer): void;
  settle(outcome: InvocationOutcome): void;
  settled: boolean;
}

export async function startRuntimeApiEmulator(options: { functionName?: string; region?: string } = {}): Promise<RuntimeApiEmulator> {
  const functionArn = `arn:aws:lambda:${options.region ?? 'us-east-1'}:000000000000:function:${options.functionName ?? 'llm-gateway'}`;
  const queue: PendingInvocation[] = [];
  const byId = new Map<string, PendingInvocation>();
  const waitingPolls: ServerResponse[] = [];
  const pollWaiters: Array<(at: number) => void> = [];
  let pollWaiting = false;

  const emulator: RuntimeApiEmulator = {
    address: '',
    functionArn,
    nextPolls: [],
    initErrors: [],
    invoke(event, invokeOptions = {}) {
      const pending = createPending(JSON.stringify(event), invokeOptions);
      byId.set(pending.invocation.requestId, pending);
      const poll = waitingPolls.shift();
      if (poll) deliver(poll, pending);
      else queue.push(pending);
      return pending.invocation;
    },
    waitForNextPoll() {
      if (pollWaiting) return Promise.resolve(emulator.nextPolls.at(-1)!);
      return new Promise((resolve) => pollWaiters.push(resolve));
    },
    abortPending(reason) {
      for (const pending of byId.values()) pending.settle({ kind: 'aborted', reason });
      byId.clear();
      queue.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        emulator.abortPending('emulator closed');
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function deliver(poll: ServerResponse, pending: PendingInvocation): void {
    pollWaiting = false;
    poll.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': pending.invocation.requestId,
      'lambda-runtime-deadline-ms': String(pending.deadline),
      'lambda-runtime-invoked-function-arn': functionArn,
      'lambda-runtime-trace-id': pending.traceId,
    });
    poll.end(pending.event);
  }

  const server = http.createServer((request, response) => {
    const path = request.url ?? '';
    if (request.method === 'GET' && path === `${PREFIX}/invocation/next`) return onNext(response);
    if (request.method === 'POST' && path === `${PREFIX}/init/error`) return onInitError(request, response);
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const pending = match ? byId.get(decodeURIComponent(match[1]!)) : undefined;
    if (request.method !== 'POST' || !match || !pending) {
      request.resume();
      return answer(response, match ? 400 : 404, { errorMessage: `unknown request ${request.method} ${path}`, errorType: 'InvalidRequestID' });
    }
    if (match[2] === 'error') return onError(request, response, pending);
    return onResponse(request, response, pending);
  });
  // A runtime keeps one connection for its whole life; a long poll may wait for minutes.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;

  function onNext(response: ServerResponse): void {
    const at = performance.now();
    emulator.nextPolls.push(at);
    pollWaiting = true;
    for (const waiter of pollWaiters.splice(0)) waiter(at);
    const pending = queue.shift();
    if (pending) return deliver(response, pending);
    waitingPolls.push(response);
    response.once('close', () => {
      const index = waitingPolls.indexOf(response);
      if (index >= 0) waitingPolls.splice(index, 1);
    });
  }

  function onInitError(request: IncomingMessage, response: ServerResponse): void {
    readAll(request).then((body) => {
      emulator.initErrors.push({ errorType: request.headers[ERROR_TYPE] as string | undefined, body: parseJson(body) });
      answer(response, 202, { status: 'OK' });
    });
  }

  function onError(request: IncomingMessage, response: ServerResponse, pending: PendingInvocation): void {
    readAll(request).then((body) => {
      const errorBody = parseJson(body);
      const errorType = (request.headers[ERROR_TYPE] as string | undefined) ?? (errorBody as { errorType?: string })?.errorType ?? 'Unknown';
      pending.settle({ kind: 'error', errorType, errorBody, afterBytes: 0 });
      byId.delete(pending.invocation.requestId);
      answer(response, 202, { status: 'OK' });
    });
  }

  function onResponse(request: IncomingMessage, response: ServerResponse, pending: PendingInvocation): void {
    const { invocation } = pending;
    invocation.streamed = request.headers[STREAMING_MODE_HEADER] === 'streaming';
    invocation.contentType = request.headers['content-type'];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      pending.emit(chunk);
    });
    request.once('end', () => {
      byId.delete(invocation.requestId);
      const errorType = request.trailers[ERROR_TYPE];
      if (errorType) {
        const encoded = request.trailers[ERROR_BODY];
        const errorBody = encoded ? parseJson(Buffer.from(encoded, 'base64')) : undefined;
        pending.settle({ kind: 'error', errorType, errorBody, afterBytes: bytes });
      } else {
        pending.settle({ kind: 'response' });
      }
      answer(response, 202, { status: 'OK' });
    });
    request.once('close', () => {
      if (!request.complete) {
        byId.delete(invocation.requestId);
        pending.settle({ kind: 'aborted', reason: 'the runtime closed the response mid-way' });
      }
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  emulator.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return emulator;
}

function createPending(event: string, options: InvokeOptions): PendingInvocation {
  const listeners: Array<(chunk: Buffer, at: number) => void> = [];
  let resolveDone!: (outcome: InvocationOutcome) => void;
  const invocation: Invocation = {
    requestId: options.requestId ?? randomUUID(),
    streamed: false,
    contentType: undefined,
    chunks: [],
    onChunk: (listener) => listeners.push(listener),
    done: new Promise((resolve) => (resolveDone = resolve)),
  };
  const pending: PendingInvocation = {
    invocation,
    event,
    deadline: Date.now() + (options.timeoutMs ?? 15 * 60_000),
    traceId: options.traceId ?? `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`,
    settled: false,
    emit(chunk) {
      const at = performance.now();
      invocation.chunks.push(chunk);
      for (const listener of listeners) listener(chunk, at);
    },
    settle(outcome) {
      if (pending.settled) return;
      pending.settled = true;
      resolveDone(outcome);
    },
  };
  return pending;
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', () => resolve(Buffer.concat(chunks)));
  });
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return bytes.toString('utf8');
  }
}

function answer(response: ServerResponse, statusCode: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
