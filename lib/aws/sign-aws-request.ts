/**
 * AWS Signature Version 4 on node:crypto alone: the one signer of the gateway's own AWS calls
 * (Bedrock and SageMaker requests, DynamoDB's JSON protocol for the table and the cache).
 *
 * `@smithy/signature-v4` with `@aws-crypto/sha256-js` costs ~160 KB minified (it drags in
 * `@smithy/core`) and the SDK's per-call pipeline ~2 ms of CPU; this is a few hashes per request,
 * tested against that signer's own output (double URI-encoding included) and against AWS's
 * published examples (sign-aws-request.test.ts, sign-aws-request-examples.test.ts). The signing key
 * changes once a day per region and service, so it is derived once and kept.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** What is signed: the request as it goes on the wire (a path already URI-encoded once). */
export interface AwsRequest {
  url: string | URL;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface SigningOptions {
  credentials: AwsCredentials;
  region: string;
  /** The signing name: `bedrock` for bedrock-runtime, `sagemaker`, `dynamodb`. */
  service: string;
  /** Fixed in tests; now otherwise. */
  date?: Date;
  /**
   * Sends the payload's hash as `x-amz-content-sha256` (signed), as the SDK signers do; default
   * true. The hash is signed either way; AWS's published examples and DynamoDB do without the header.
   */
  contentSha256Header?: boolean;
}

/** Headers the transport or proxies may change in flight, so never signed (the AWS SDKs agree). */
const UNSIGNABLE_HEADERS = new Set([
  'authorization',
  'cache-control',
  'connection',
  'content-length',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'proxy-authorization',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/**
 * Returns the request with `host`, `x-amz-date`, `x-amz-content-sha256` (unless turned off), the
 * session token and `authorization` added; header names lowercased.
 *
 * @example
 * signAwsRequest({ url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/invoke', method: 'POST', headers: {}, body: '{}' },
 *   { credentials, region: 'us-east-1', service: 'bedrock' }).headers.authorization
 * // 'AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=…'
 */
export function signAwsRequest<R extends AwsRequest>(request: R, options: SigningOptions): Omit<R, 'headers'> & { headers: Record<string, string> } {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const amzDate = (options.date ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const dateStamp = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(request.body);
  const { credentials, region, service } = options;

  const headers: Record<string, string> = {};
  for (const name in request.headers) headers[name.toLowerCase()] = request.headers[name]!;
  headers.host = url.host;
  headers['x-amz-date'] = amzDate;
  if (options.contentSha256Header !== false) headers['x-amz-content-sha256'] = payloadHash;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const signedNames = Object.keys(headers)
    .filter((name) => !UNSIGNABLE_HEADERS.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-'))
    .sort();
  const signedHeaders = signedNames.join(';');
  let canonicalHeaders = '';
  for (const name of signedNames) canonicalHeaders += `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`;
  const canonicalRequest = `${request.method}\n${canonicalUri(url.pathname)}\n${canonicalQuery(url.searchParams)}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;

  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey(credentials, dateStamp, region, service)).update(stringToSign, 'utf8').digest('hex');

  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { ...request, headers };
}

/**
 * Every service but S3 signs the path URI-encoded once more: the wire path
 * `/model/anthropic.claude-v2%3A1/invoke` is signed as `/model/anthropic.claude-v2%253A1/invoke`.
 */
export function canonicalUri(pathname: string): string {
  if (pathname === '/') return pathname; // DynamoDB's every call
  const segments: string[] = [];
  for (const segment of pathname.split('/')) {
    // Normalise empty, `.` and `..` segments as the SDK signers do (Bedrock paths have none).
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && pathname.endsWith('/') ? '/' : '';
  return `/${segments.map(escapeUri).join('/')}${trailing}`;
}

function canonicalQuery(params: URLSearchParams): string {
  if (params.size === 0) return '';
  return [...params]
    .map(([key, value]) => [escapeUri(key), escapeUri(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** RFC 3986 encoding: encodeURIComponent leaves `!'()*` alone; SigV4 does not. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The day's keys, per access key, region and service: a warm Lambda signs many requests a day with
 * one or two of them. The secret is compared, not trusted from the access key id alone (a rotated
 * secret under the same id gets a fresh key). Bounded: cleared past a few.
 */
const signingKeys = new Map<string, { secret: string; key: Buffer }>();
const MAX_SIGNING_KEYS = 16;

function signingKey(credentials: AwsCredentials, dateStamp: string, region: string, service: string): Buffer {
  const id = `${credentials.accessKeyId}/${dateStamp}/${region}/${service}`;
  const cached = signingKeys.get(id);
  if (cached?.secret === credentials.secretAccessKey) return cached.key;
  const key = deriveSigningKey(credentials.secretAccessKey, dateStamp, region, service);
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(id, { secret: credentials.secretAccessKey, key });
  return key;
}

/** @example deriveSigningKey(secret, '20120215', 'us-east-1', 'iam') // the day's key for IAM in us-east-1 */
export function deriveSigningKey(secret: string, dateStamp: string, region: string, service: string): Buffer {
  const dateKey = createHmac('sha256', `AWS4${secret}`).update(dateStamp).digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update(service).digest();
  return createHmac('sha256', serviceKey).update('aws4_request').digest();
}
