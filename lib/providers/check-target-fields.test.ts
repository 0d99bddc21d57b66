import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../api/errors.ts';
import type { ProviderTarget } from '../config/target.ts';
import { checkTargetFields, checkUpstreamPath } from './check-target-fields.ts';

const errorOf = (run: () => void): InvalidRequestError | undefined => {
  try {
    run();
  } catch (error) {
    return error as InvalidRequestError;
  }
  return undefined;
};

describe('checkTargetFields', () => {
  it('passes a target whose fields have their shapes, and one with fields no rule names', () => {
    expect(errorOf(() => checkTargetFields({ provider: 'openai', api_key: 'sk-1', openai_organization: 'org 1', custom_host: 'http://127.0.0.1/v1' }))).toBeUndefined();
    const parsed = JSON.parse('{"provider":"openai","constructor":"x","__proto__":{"api_key":"bad key"},"toString":1}') as ProviderTarget;
    expect(errorOf(() => checkTargetFields(parsed))).toBeUndefined();
  });

  it('reports the first failing field in the rules’ order, whatever the target’s own order', () => {
    // api_key comes first in the target; azure_resource_name comes first among the rules.
    const error = errorOf(() => checkTargetFields({ provider: 'azure-openai', api_key: 'has a space', azure_resource_name: '127.0.0.1:22/x?' } as ProviderTarget));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error!.param).toBe('x-portkey-azure-resource-name');
    const alone = errorOf(() => checkTargetFields({ provider: 'openai', api_key: 'has a space' }));
    expect(alone!.param).toBe('x-portkey-api-key');
    expect(alone!.message).not.toContain('has a space');
  });

  it('refuses a field of the wrong type', () => {
    expect(errorOf(() => checkTargetFields({ provider: 'openai', api_key: 42 } as unknown as ProviderTarget))!.param).toBe('x-portkey-api-key');
  });
});

describe('checkUpstreamPath', () => {
  it('passes plain paths and refuses dot segments, plain or percent-encoded', () => {
    for (const path of ['/completions', '/models/gemini-1.5-pro:generateContent', '/a%20b', '/v1.2/x?q=..']) expect(errorOf(() => checkUpstreamPath(path)), path).toBeUndefined();
    for (const path of ['/models/../x', '/./x', '/%2e%2E/x', '/x/%2e', '/x/..?q']) expect(errorOf(() => checkUpstreamPath(path)), path).toBeInstanceOf(InvalidRequestError);
  });
});
