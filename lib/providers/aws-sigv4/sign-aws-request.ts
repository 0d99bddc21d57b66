/**
 * AWS Signature Version 4 for AWS service requests (Bedrock, SageMaker), on node:crypto alone.
 *
 * `@smithy/signature-v4` with `@aws-crypto/sha256-js` costs ~160 KB minified (it drags in
 * `@smithy/core`); this is ~2 KB and is tested against that signer's own output
 * (sign-aws-request.test.ts), double URI-encoding included.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';
import type { UpstreamRequest } from '../../upstream/upstream-request.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SigningOptions {
  credentials: AwsCredentials;
  region: string;
  /** The signing name: `bedrock` for bedrock-runtime. */
  service: string;
  /** Fixed in tests; now otherwise. */
  date?: Date;
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
 * Returns the request with `host`, `x-amz-date`, `x-amz-content-sha256`, the session token
 * and `authorization` added.
 *
 * @example
 * signAwsRequest({ url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/invoke', method: 'POST', headers: {}, body: '{}' },
 *   { credentials, region: 'us-east-1', service: 'bedrock' }).headers.authorization
 * // 'AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=…'
 */
export function signAwsRequest(request: UpstreamRequest, options: SigningOptions): UpstreamRequest {
  const url = new URL(request.url);
  const { amzDate, dateStamp } = formatAmzDate(options.date ?? new Date());
  const payloadHash = sha256Hex(request.body);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = url.host;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = payloadHash;
  if (options.credentials.sessionToken) headers['x-amz-security-token'] = options.credentials.sessionToken;

  const signedNames = Object.keys(headers)
    .filter((name) => !UNSIGNABLE_HEADERS.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-'))
    .sort();
  const canonicalHeaders = signedNames.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = signedNames.join(';');
  const canonicalRequest = [
    request.method,
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');

  const scope = `${dateStamp}/${options.region}/${options.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(options.credentials.secretAccessKey, dateStamp, options.region, options.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');

  headers.authorization = `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { ...request, headers };
}

/**
 * Every service but S3 signs the path URI-encoded once more: the wire path
 * `/model/anthropic.claude-v2%3A1/invoke` is signed as `/model/anthropic.claude-v2%253A1/invoke`.
 */
export function canonicalUri(pathname: string): string {
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

function formatAmzDate(date: Date): { amzDate: string; dateStamp: string } {
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return { amzDate, dateStamp: amzDate.slice(0, 8) };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The derived key changes once a day per region: cache the last few (a warm Lambda signs many requests). */
const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, dateStamp: string, region: string, service: string): Buffer {
  const cacheKey = `${sha256Hex(secret)}/${dateStamp}/${region}/${service}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  const dateKey = createHmac('sha256', `AWS4${secret}`).update(dateStamp).digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update(service).digest();
  const key = createHmac('sha256', serviceKey).update('aws4_request').digest();
  if (signingKeys.size >= 16) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}
