import { describe, expect, it } from 'vitest';
import { SecretReadError } from './key-errors.ts';
import { parseStoredVirtualKey } from './parse-stored-key.ts';

const account = { type: 'service_account', project_id: 'my-project', client_email: 'gateway@my-project.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' };

describe('parseStoredVirtualKey: vertex_service_account_json', () => {
  it('takes the service account as a JSON string', () => {
    const text = JSON.stringify(account);
    const { target } = parseStoredVirtualKey({ provider: 'vertex-ai', vertex_project_id: 'my-project', vertex_service_account_json: text }, 'llm-gateway/vertex');
    expect(target.vertex_service_account_json).toBe(text);
  });

  it("takes Portkey's object form as well, kept as its JSON text", () => {
    const { target } = parseStoredVirtualKey({ provider: 'vertex-ai', vertex_project_id: 'my-project', vertex_service_account_json: account }, 'llm-gateway/vertex');
    expect(typeof target.vertex_service_account_json).toBe('string');
    expect(JSON.parse(target.vertex_service_account_json!)).toEqual(account);
  });

  it('still refuses a value that is neither, naming the field and not the value', () => {
    for (const value of [42, ['a'], null, '']) {
      let caught: unknown;
      try {
        parseStoredVirtualKey({ provider: 'vertex-ai', vertex_service_account_json: value }, 'llm-gateway/vertex');
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(value)).toBeInstanceOf(SecretReadError);
      expect((caught as Error).message).toContain('vertex_service_account_json');
    }
  });
});
