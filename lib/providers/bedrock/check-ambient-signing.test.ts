import { describe, expect, it } from 'vitest';
import { markCustomHostTrusted } from '../../keys/trusted-custom-host.ts';
import { checkAmbientSigning } from './check-ambient-signing.ts';

const target = (custom_host?: string) => ({ provider: 'bedrock', ...(custom_host ? { custom_host } : {}) });
const urlOf = (host: string) => `${host}/model/m/invoke`;

describe('checkAmbientSigning', () => {
  it.each([
    'https://bedrock-runtime.us-east-1.amazonaws.com.attacker.example',
    'https://abc123.execute-api.us-east-1.amazonaws.com',
    'https://bucket.s3.amazonaws.com',
    'https://bedrock-runtime.us-west-2.amazonaws.com',
    'https://evilbedrock-runtime.us-east-1.amazonaws.com',
    'http://127.0.0.1:8080',
  ])('refuses to sign for a caller’s host that is not AWS’s Bedrock runtime in the signing region (%s)', (host) => {
    expect(() => checkAmbientSigning(target(host), 'us-east-1', urlOf(host), {})).toThrow(expect.objectContaining({ code: 'custom_host_needs_aws_credentials' }));
  });

  it.each(['https://bedrock-runtime.us-east-1.amazonaws.com', 'https://bedrock-runtime-fips.us-east-1.amazonaws.com'])('signs for AWS’s own runtime host %s', (host) => {
    expect(() => checkAmbientSigning(target(host), 'us-east-1', urlOf(host), {})).not.toThrow();
  });

  it('signs for a host stored in a secret, and without a custom host', () => {
    expect(() => checkAmbientSigning(markCustomHostTrusted(target('http://10.0.0.5:8080')), 'us-east-1', urlOf('http://10.0.0.5:8080'), {})).not.toThrow();
    expect(() => checkAmbientSigning(target(), 'us-east-1', urlOf('https://bedrock-runtime.us-east-1.amazonaws.com'), {})).not.toThrow();
  });

  it.each([
    ['us-east-1, eu-west-1', 'eu-west-1', true],
    ['us-east-1,eu-west-1', 'us-west-2', false],
    ['', 'ap-south-1', true],
    [undefined, 'ap-south-1', true],
  ])('with GATEWAY_BEDROCK_REGIONS=%s, region %s is allowed: %s', (list, region, allowed) => {
    const check = () => checkAmbientSigning(target(), region, urlOf(`https://bedrock-runtime.${region}.amazonaws.com`), list === undefined ? {} : { GATEWAY_BEDROCK_REGIONS: list });
    if (allowed) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ statusCode: 400, param: 'aws_region', code: 'aws_region_not_allowed' }));
  });
});
