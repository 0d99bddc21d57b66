import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Builds the API Gateway REST (v1) proxy event that API Gateway would send for a request.
 * Locally there is no IAM caller, so `requestContext.identity` names none.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
export function toApiGatewayEvent(request: IncomingMessage, body: string) {
  const url = parseRequestUrl(request.url ?? '/');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    const value = request.rawHeaders[i + 1]!;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  const requestId = randomUUID();
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
      accountId: 'local',
      apiId: 'local',
      resourceId: 'local',
      resourcePath: url.pathname,
      httpMethod: request.method ?? 'GET',
      path: url.pathname,
      stage: 'local',
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      requestTimeEpoch: Date.now(),
      authorizer: null,
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? null,
        accessKey: null,
        accountId: null,
        caller: null,
        user: null,
        userArn: null,
        apiKey: null,
        apiKeyId: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        clientCert: null,
      },
    },
    body: body === '' ? null : body,
    isBase64Encoded: false,
  };
}

/** A path of plain characters needs no WHATWG parse (which normalises `..`, `//`, `%xx`): the common case. */
const PLAIN_PATH = /^\/(?!\/)[\w\-/]*$/;
const NO_QUERY = new URLSearchParams();

function parseRequestUrl(path: string): { pathname: string; searchParams: URLSearchParams } {
  if (PLAIN_PATH.test(path)) return { pathname: path, searchParams: NO_QUERY };
  return new URL(path, 'http://localhost');
}
