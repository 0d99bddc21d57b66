/**
 * The API Gateway REST proxy event of one benchmark completion, as the benchmark's Runtime API
 * emulator hands it to a function: openai through a custom host (the bench upstream), an IAM caller.
 */
import type { BenchUpstream } from './fake-upstream.ts';

export function completionEvent(upstream: BenchUpstream, stream: boolean) {
  const body = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0, ...(stream ? { stream: true } : {}) });
  return {
    resource: '/v1/completions',
    path: '/v1/completions',
    httpMethod: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-bench-not-a-key',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${upstream.url}/v1`,
    },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      stage: 'prod',
      requestId: 'bench',
      httpMethod: 'POST',
      path: '/prod/v1/completions',
      resourcePath: '/v1/completions',
      identity: { userArn: 'arn:aws:sts::123456789012:assumed-role/bench/session', accountId: '123456789012', sourceIp: '127.0.0.1' },
    },
    body,
    isBase64Encoded: false,
  };
}
