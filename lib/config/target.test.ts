import { describe, expect, it } from 'vitest';
import { parseStoredVirtualKey } from '../keys/parse-stored-key.ts';
import { parseConfig } from './parse-config.ts';

/** Whether a config target and a virtual key's secret take `fields` (the secret also needs a provider). */
function verdicts(fields: Record<string, unknown>): [boolean, boolean] {
  const accepts = (parse: () => unknown) => {
    try {
      parse();
      return true;
    } catch {
      return false;
    }
  };
  return [accepts(() => parseConfig({ provider: 'openai', ...fields })), accepts(() => parseStoredVirtualKey({ provider: 'openai', ...fields }, 'llm-gateway/vk'))];
}

describe('a target described once', () => {
  it('lets a config target and a secret agree on every field', () => {
    const cases: Array<[Record<string, unknown>, boolean]> = [
      [{ custom_host: 'https://llm.internal/v1' }, true],
      [{ custom_host: 'llm.internal' }, false],
      [{ custom_host: 'file:///etc/passwd' }, false],
      [{ api_key: '' }, false],
      [{ forward_headers: ['x-team'] }, true],
      [{ forward_headers: [''] }, false],
      [{ request_timeout: 0 }, false],
      [{ request_timeout: 1.5 }, false],
      [{ aws_region: 'eu-west-1' }, true],
      [{ aws_region: '' }, false],
    ];
    for (const [fields, accepted] of cases) expect(verdicts(fields), JSON.stringify(fields)).toEqual([accepted, accepted]);
  });

  it('refuses a virtual key inside a secret: a secret cannot point at another', () => {
    expect(verdicts({ virtual_key: 'other' })).toEqual([true, false]);
  });
});
