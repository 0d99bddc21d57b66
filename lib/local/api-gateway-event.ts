import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The IAM caller API Gateway's `AWS_IAM` auth names in `requestContext.identity`. */
export interface IamIdentity {
  userArn: string;
  accountId: string;
  accessKey?: string;
  principalOrgId?: string;
}

/**
 * Builds the API Gateway REST (v1) proxy event that API Gateway would send for a request, with the
 * fields of a REST API with `AWS_IAM` auth. Locally there is no IAM caller unless one is given,
 * and then `requestContext.identity` names none (as for an unauthenticated method).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
export function toApiGatewayEvent(request: IncomingMessage, body: string, caller?: IamIdentity) {
  const url = parseRequestUrl(request.url ?? '/');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  // `host` and `user-agent` are taken here, as node:http would (its first value), rather than from
  // `request.headers`: that object is built on first access, header by header, for these two alone.
  let hostHeader: string | undefined;
  let userAgent: string | undefined;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (Object.hasOwn(multiValueHeaders, name)) {
      headers[name] = `${headers[name]},${value}`;
      multiValueHeaders[name]!.push(value);
    } else {
      headers[name] = value;
      multiValueHeaders[name] = [value];
    }
    if (name.length === 4 && hostHeader === undefined && name.toLowerCase() === 'host') hostHeader = value;
    else if (name.length === 10 && userAgent === undefined && name.toLowerCase() === 'user-agent') userAgent = value;
  }
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  const requestId = randomUUID();
  const now = new Date();
  const host = hostHeader ?? 'localhost';
  return {
    resource: url.pathname,
    path: url.pathname,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: query ? Object.fromEntries([...url.searchParams.keys()].map((key) => [key, url.searchParams.getAll(key)])) : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourceId: 'local',
      resourcePath: url.pathname,
      httpMethod: request.method ?? 'GET',
      extendedRequestId: requestId.slice(0, 16),
      requestTime: formatRequestTime(now),
      path: url.pathname,
      accountId: '000000000000',
      protocol: `HTTP/${request.httpVersion}`,
      stage: 'local',
      domainPrefix: host.split('.')[0] ?? host,
      requestTimeEpoch: now.getTime(),
      requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: caller?.accountId ?? null,
        cognitoIdentityId: null,
        caller: caller ? callerIdOf(caller.userArn) : null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        principalOrgId: caller?.principalOrgId ?? null,
        accessKey: caller ? (caller.accessKey ?? 'ASIALOCALLOCALLOCAL0') : null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: caller?.userArn ?? null,
        userAgent: userAgent ?? null,
        user: caller ? callerIdOf(caller.userArn) : null,
      },
      domainName: host,
      deploymentId: 'local',
      apiId: 'local',
    },
    body: body === '' ? null : body,
    isBase64Encoded: false,
  };
}

/** API Gateway's `requestTime`: `27/Nov/2026:01:23:45 +0000`; formatted once per second. */
let requestTime = { second: -1, text: '' };
function formatRequestTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== requestTime.second) {
    const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString())!;
    requestTime = { second, text: `${day}/${month}/${year}:${time} +0000` };
  }
  return requestTime.text;
}

/** What API Gateway puts in `caller` / `user`: the principal id, `AROA…:session` for a role session. */
function callerIdOf(userArn: string): string {
  const session = /:assumed-role\/[^/]+\/(.+)$/.exec(userArn)?.[1];
  return session ? `AROALOCALLOCALLOCAL:${session}` : 'AIDALOCALLOCALLOCAL';
}

/** A path of plain characters needs no WHATWG parse (which normalises `..`, `//`, `%xx`): the common case. */
const PLAIN_PATH = /^\/(?!\/)[\w\-/]*$/;
const NO_QUERY = new URLSearchParams();

function parseRequestUrl(path: string): { pathname: string; searchParams: URLSearchParams } {
  if (PLAIN_PATH.test(path)) return { pathname: path, searchParams: NO_QUERY };
  return new URL(path, 'http://localhost');
}
