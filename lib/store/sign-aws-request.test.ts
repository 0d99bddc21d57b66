import { describe, expect, test } from 'vitest';
import { createAwsSigner, deriveSigningKey } from './sign-aws-request.ts';

// AWS's own worked example (IAM ListUsers, 2015-08-30), from the Signature Version 4 guide:
// https://docs.aws.amazon.com/general/latest/gr/sigv4-calculate-signature.html
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

describe('createAwsSigner', () => {
  test("signs AWS's ListUsers example to the documented signature", () => {
    const sign = createAwsSigner({ region: 'us-east-1', service: 'iam' }, () => Date.parse('2015-08-30T12:36:00Z'));
    const headers = sign(
      {
        method: 'GET',
        host: 'iam.amazonaws.com',
        path: '/',
        query: 'Action=ListUsers&Version=2010-05-08',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: '',
      },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: EXAMPLE_SECRET },
    );
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  test('signs a session token, and a new day with a new key', () => {
    let nowMs = Date.parse('2015-08-30T23:59:59Z');
    const sign = createAwsSigner({ region: 'eu-west-1', service: 'dynamodb' }, () => nowMs);
    const request = { method: 'POST', host: 'dynamodb.eu-west-1.amazonaws.com', path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body: '{}' };
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: EXAMPLE_SECRET, sessionToken: 'session' };
    const first = sign(request, credentials);
    expect(first['x-amz-security-token']).toBe('session');
    expect(first.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target,');
    nowMs += 1_000;
    const second = sign(request, credentials);
    expect(second.authorization).toContain('/20150831/eu-west-1/dynamodb/aws4_request');
    expect(second.authorization!.slice(-64)).not.toBe(first.authorization!.slice(-64));
  });
});

describe('deriveSigningKey', () => {
  test("derives AWS's documented key for 2012-02-15, us-east-1, iam", () => {
    // https://docs.aws.amazon.com/general/latest/gr/signature-v4-examples.html
    expect(deriveSigningKey(EXAMPLE_SECRET, '20120215', 'us-east-1', 'iam').toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });
});
