import { describe, expect, test } from 'vitest';
import { deriveSigningKey, signAwsRequest } from './sign-aws-request.ts';

// AWS's own worked example (IAM ListUsers, 2015-08-30), from the Signature Version 4 guide:
// https://docs.aws.amazon.com/general/latest/gr/sigv4-calculate-signature.html
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

describe('signAwsRequest on the published examples', () => {
  test("signs AWS's ListUsers example to the documented signature", () => {
    const signed = signAwsRequest(
      {
        method: 'GET',
        url: 'https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: '',
      },
      {
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: EXAMPLE_SECRET },
        region: 'us-east-1',
        service: 'iam',
        date: new Date('2015-08-30T12:36:00Z'),
        contentSha256Header: false,
      },
    );
    expect(signed.headers['x-amz-date']).toBe('20150830T123600Z');
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  test('signs a session token, and a new day with a new key', () => {
    const request = { method: 'POST', url: 'https://dynamodb.eu-west-1.amazonaws.com/', headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body: '{}' };
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: EXAMPLE_SECRET, sessionToken: 'session' };
    const options = { credentials, region: 'eu-west-1', service: 'dynamodb', contentSha256Header: false };
    const first = signAwsRequest(request, { ...options, date: new Date('2015-08-30T23:59:59Z') }).headers;
    expect(first['x-amz-security-token']).toBe('session');
    expect(first.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target,');
    const second = signAwsRequest(request, { ...options, date: new Date('2015-08-31T00:00:00Z') }).headers;
    expect(second.authorization).toContain('/20150831/eu-west-1/dynamodb/aws4_request');
    expect(second.authorization!.slice(-64)).not.toBe(first.authorization!.slice(-64));
  });

  test("keeps the day's key per secret: a rotated secret under the same access key id signs differently", () => {
    const request = { method: 'POST', url: 'https://dynamodb.eu-west-1.amazonaws.com/', headers: {}, body: '{}' };
    const date = new Date('2026-11-27T05:00:00Z');
    const sign = (secretAccessKey: string) =>
      signAwsRequest(request, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey }, region: 'eu-west-1', service: 'dynamodb', date }).headers.authorization;
    const before = sign(EXAMPLE_SECRET);
    expect(sign(`${EXAMPLE_SECRET}-rotated`)).not.toBe(before);
    expect(sign(EXAMPLE_SECRET)).toBe(before);
  });
});

describe('deriveSigningKey', () => {
  test("derives AWS's documented key for 2012-02-15, us-east-1, iam", () => {
    // https://docs.aws.amazon.com/general/latest/gr/signature-v4-examples.html
    expect(deriveSigningKey(EXAMPLE_SECRET, '20120215', 'us-east-1', 'iam').toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });
});
