import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { verifySigV4 } from '../../test/fakes/fake-bedrock.ts';
import { canonicalUri, signAwsRequest } from './sign-aws-request.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const date = new Date('2026-11-24T21:30:05Z');

/** What AWS's own signer produces for the same request. */
async function smithySignature(url: URL, headers: Record<string, string>, body: string, creds: typeof credentials & { sessionToken?: string }, service = 'bedrock') {
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: creds, sha256: Sha256 });
  const signed = await signer.sign(
    { method: 'POST', protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: {}, headers: { ...headers, host: url.host }, body },
    { signingDate: date },
  );
  return signed.headers.authorization;
}

describe('signAwsRequest', () => {
  const modelIds = [
    'anthropic.claude-3-haiku-20240307-v1:0',
    'us.meta.llama3-2-1b-instruct-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6',
  ];

  it.each(modelIds)('signs exactly as @smithy/signature-v4 does for %s (path double-encoded)', async (modelId) => {
    const url = `https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent(modelId)}/invoke`;
    const body = JSON.stringify({ prompt: 'Hi', max_gen_len: 16 });
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const signed = signAwsRequest({ url, method: 'POST', headers, body }, { credentials, region: 'us-east-1', service: 'bedrock', date });

    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261124\/us-east-1\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(signed.headers['x-amz-date']).toBe('20261124T213005Z');
    const { authorization, ...sent } = signed.headers;
    expect(authorization).toBe(await smithySignature(new URL(url), sent, body, credentials));
  });

  it('signs the session token of temporary credentials', async () => {
    const temporary = { ...credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
    const url = 'http://127.0.0.1:4566/model/amazon.titan-text-express-v1/invoke-with-response-stream';
    const signed = signAwsRequest({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, {
      credentials: temporary,
      region: 'us-east-1',
      service: 'bedrock',
      date,
    });
    expect(signed.headers['x-amz-security-token']).toBe(temporary.sessionToken);
    expect(signed.headers.host).toBe('127.0.0.1:4566');
    const { authorization, ...sent } = signed.headers;
    expect(authorization).toBe(await smithySignature(new URL(url), sent, '{}', temporary));
  });

  it('signs a DynamoDB JSON call exactly as @smithy/signature-v4 does', async () => {
    const url = 'https://dynamodb.us-east-1.amazonaws.com/';
    const body = JSON.stringify({ TableName: 'gateway', Key: { pk: { S: 'cache#ab' }, sk: { S: 'answer' } } });
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' };
    const signed = signAwsRequest({ url, method: 'POST', headers, body }, { credentials, region: 'us-east-1', service: 'dynamodb', date });
    expect(signed.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target,');
    const { authorization, ...sent } = signed.headers;
    expect(authorization).toBe(await smithySignature(new URL(url), sent, body, credentials, 'dynamodb'));
  });

  it('leaves the headers a transport or proxy may change unsigned', () => {
    const url = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke';
    const headers = { 'Content-Type': 'application/json', 'User-Agent': 'gateway', 'Content-Length': '2', Connection: 'keep-alive', 'X-Amzn-Trace-Id': 'Root=1' };
    const signed = signAwsRequest({ url, method: 'POST', headers, body: '{}' }, { credentials, region: 'us-east-1', service: 'bedrock', date });
    expect(signed.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,');
    expect(signed.headers['user-agent']).toBe('gateway');
  });

  it('verifies in the fake Bedrock, and a tampered path or body does not', async () => {
    const url = `http://127.0.0.1:9/model/${encodeURIComponent('mistral.mistral-7b-instruct-v0:2')}/invoke`;
    const body = '{"prompt":"Hi"}';
    const signed = signAwsRequest({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body }, { credentials, region: 'eu-west-1', service: 'bedrock' });
    const received = { method: 'POST', path: new URL(url).pathname, headers: signed.headers, body: JSON.parse(body), rawBody: body };
    const options = { region: 'eu-west-1', credentials: [credentials] };

    expect(await verifySigV4(received, options)).toMatchObject({ valid: true, scope: expect.stringMatching(/^\d{8}\/eu-west-1\/bedrock\/aws4_request$/) });
    expect((await verifySigV4({ ...received, path: '/model/mistral.mistral-7b-instruct-v0:2/invoke' }, options)).valid).toBe(false);
    expect((await verifySigV4({ ...received, rawBody: '{"prompt":"Bye"}' }, options)).valid).toBe(false);
    expect((await verifySigV4(received, { ...options, region: 'us-east-1' })).problem).toMatch(/region/);
  });

  it('double-encodes each path segment and normalises the path like the SDK signers', () => {
    expect(canonicalUri('/model/anthropic.claude-v2%3A1/invoke')).toBe('/model/anthropic.claude-v2%253A1/invoke');
    expect(canonicalUri('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/converse')).toBe(
      '/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A1%253Ainference-profile%252Fus.x/converse',
    );
    expect(canonicalUri('')).toBe('/');
    expect(canonicalUri('/a//b/./c/../d/')).toBe('/a/b/d/');
  });
});
