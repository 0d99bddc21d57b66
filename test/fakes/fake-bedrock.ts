/**
 * A loopback stand-in for the Bedrock runtime. Every request's SigV4 `Authorization` header is
 * recomputed with AWS's own signer (`@smithy/signature-v4`) from what arrived on the wire —
 * raw path, signed headers, `x-amz-date` — and a request that does not verify is answered 403
 * `InvalidSignatureException`, as AWS would. Answers are JSON bodies and binary event-stream
 * frames encoded with `@smithy/eventstream-codec`.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { startFakeUpstream, type FakeUpstream, type ReceivedRequest, type Responder } from './fake-upstream.ts';

export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignatureCheck {
  valid: boolean;
  /** Why it failed, for assertion messages. */
  problem?: string;
  accessKeyId?: string;
  /** `<yyyymmdd>/<region>/<service>/aws4_request`. */
  scope?: string;
  signedHeaders?: string[];
}

export interface BedrockCall extends ReceivedRequest {
  /** The model id, URL-decoded from the path. */
  modelId: string;
  /** `invoke`, `invoke-with-response-stream`, `converse` or `converse-stream`. */
  action: string;
  signature: SignatureCheck;
}

export interface FakeBedrock {
  url: string;
  calls: BedrockCall[];
  enqueue(...responders: Responder[]): void;
  close(): Promise<void>;
}

const PATH = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|converse|converse-stream)$/;

/** Starts the fake; `credentials` are the ones it accepts (an unknown key id fails verification). */
export async function startFakeBedrock(options: { region: string; credentials: FakeCredentials[] }): Promise<FakeBedrock> {
  const calls: BedrockCall[] = [];
  const upstream: FakeUpstream = await startFakeUpstream();
  const queue: Responder[] = [];
  const answer: Responder = async (request, response, raw) => {
    const signature = await verifySigV4(request, options);
    const match = PATH.exec(request.path);
    calls.push({ ...request, modelId: match ? decodeURIComponent(match[1]!) : '', action: match?.[2] ?? '', signature });
    if (!signature.valid) return awsError(403, 'InvalidSignatureException', `Signature check failed: ${signature.problem}`)(request, response, raw);
    if (!match) return awsError(404, 'UnknownOperationException', `No operation at ${request.path}`)(request, response, raw);
    const responder = queue.shift() ?? awsError(500, 'InternalServerException', 'no answer scripted');
    return responder(request, response, raw);
  };
  upstream.fallback = answer;
  return { url: upstream.url, calls, enqueue: (...responders) => queue.push(...responders), close: () => upstream.close() };
}

/** Recomputes the request's signature with the SDK's signer and compares. */
export async function verifySigV4(request: ReceivedRequest, options: { region: string; credentials: FakeCredentials[]; service?: string }): Promise<SignatureCheck> {
  const header = request.headers.authorization;
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return { valid: false, problem: `malformed Authorization header: ${header ?? '(none)'}` };
  const [, accessKeyId, dateStamp, region, service, signedHeaderList] = match as unknown as string[];
  const signedHeaders = signedHeaderList!.split(';');
  const check: SignatureCheck = { valid: false, accessKeyId, scope: `${dateStamp}/${region}/${service}/aws4_request`, signedHeaders };
  const credentials = options.credentials.find((each) => each.accessKeyId === accessKeyId);
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const problem =
    (!credentials && `unknown access key id ${accessKeyId}`) ||
    (service !== (options.service ?? 'bedrock') && `service ${service}, expected ${options.service ?? 'bedrock'}`) ||
    (region !== options.region && `region ${region}, expected ${options.region}`) ||
    (!amzDate.startsWith(dateStamp!) && `x-amz-date ${amzDate} is not of ${dateStamp}`) ||
    (!signedHeaders.includes('host') && 'host is not signed') ||
    (!signedHeaders.includes('x-amz-date') && 'x-amz-date is not signed') ||
    (request.headers['x-amz-content-sha256'] !== undefined &&
      request.headers['x-amz-content-sha256'] !== createHash('sha256').update(request.rawBody).digest('hex') &&
      'x-amz-content-sha256 does not match the body') ||
    (credentials?.sessionToken !== undefined && request.headers['x-amz-security-token'] !== credentials.sessionToken && 'wrong session token');
  if (problem) return { ...check, problem };

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '');
  const [hostname, port] = headers.host!.split(':');
  const signer = new SignatureV4({ service: service!, region: region!, credentials: credentials!, sha256: Sha256, uriEscapePath: true });
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: hostname!, port: port ? Number(port) : undefined, path: request.path, query: {}, headers, body: request.rawBody },
    { signingDate },
  );
  if (signed.headers.authorization !== header) return { ...check, problem: `expected ${signed.headers.authorization}, got ${header}` };
  return { ...check, valid: true };
}

/** A JSON answer (InvokeModel / Converse), optionally with Bedrock's token-count headers. */
export function bedrockJson(body: unknown, headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'f3a2e1d0-0000-4000-8000-000000000000', ...headers });
    response.end(JSON.stringify(body));
  };
}

/** An AWS error as Bedrock sends it: `{"message"}` and the type in `x-amzn-errortype`. */
export function awsError(status: number, type: string, message: string): Responder {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
    response.end(JSON.stringify({ message }));
  };
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

export type Frame = Uint8Array;

/** An InvokeModelWithResponseStream `chunk` event: the model's JSON, base64 in `{"bytes"}`. */
export function chunkFrame(modelChunk: unknown): Frame {
  const bytes = Buffer.from(JSON.stringify(modelChunk)).toString('base64');
  return frame({ ':message-type': 'event', ':event-type': 'chunk', ':content-type': 'application/json' }, { bytes });
}

/** A ConverseStream event (`messageStart`, `contentBlockDelta`, `messageStop`, `metadata`, ...). */
export function converseFrame(eventType: string, payload: unknown): Frame {
  return frame({ ':message-type': 'event', ':event-type': eventType, ':content-type': 'application/json' }, payload);
}

/** An exception frame (`throttlingException`, `modelStreamErrorException`, ...). */
export function exceptionFrame(exceptionType: string, message: string): Frame {
  return frame({ ':message-type': 'exception', ':exception-type': exceptionType, ':content-type': 'application/json' }, { message });
}

function frame(headers: Record<string, string>, payload: unknown): Frame {
  const encoded: Record<string, { type: 'string'; value: string }> = {};
  for (const [name, value] of Object.entries(headers)) encoded[name] = { type: 'string', value };
  return codec.encode({ headers: encoded, body: Buffer.from(JSON.stringify(payload)) });
}

/** Streams frames `delayMs` apart as `application/vnd.amazon.eventstream`, then ends (or hangs up with `abort`). */
export function eventStream(frames: Frame[], options: { delayMs?: number; abort?: boolean } = {}): Responder {
  return async (_request, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-content-type': 'application/json' });
    response.flushHeaders();
    for (const each of frames) {
      response.write(each);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    if (options.abort) response.destroy();
    else response.end();
  };
}
