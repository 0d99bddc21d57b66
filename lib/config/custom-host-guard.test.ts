import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../api/errors.ts';
import { createCustomHostGuard } from './custom-host-guard.ts';

function refusal(guard: ReturnType<typeof createCustomHostGuard>, host: string): InvalidRequestError {
  try {
    guard.check(host);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error(`expected ${host} to be refused`);
}

describe('createCustomHostGuard', () => {
  it('allows nothing when the list is empty (the Lambda default)', () => {
    const guard = createCustomHostGuard(undefined, { defaultAllowed: '' });
    const error = refusal(guard, 'http://127.0.0.1:8000/v1');
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('custom_host_not_allowed');
    expect(error.message).toContain('GATEWAY_ALLOWED_CUSTOM_HOSTS');
    expect(error.param).toBe('x-portkey-custom-host');
  });

  it('allows only loopback under `loopback` (the local default)', () => {
    const guard = createCustomHostGuard(undefined, { defaultAllowed: 'loopback' });
    for (const host of ['http://127.0.0.1:8000/v1', 'http://localhost:11434/v1', 'http://[::1]:8000', 'http://127.5.0.1']) {
      expect(guard.check(host).href).toContain(new URL(host).host);
    }
    refusal(guard, 'http://169.254.169.254/latest/meta-data');
    refusal(guard, 'https://api.openai.com/v1');
    refusal(guard, 'http://localhost.evil.com/v1');
  });

  it('matches exact hosts, host:port and wildcard suffixes', () => {
    const guard = createCustomHostGuard('vllm.internal, ollama.internal:11434, *.example.com', { defaultAllowed: '' });
    expect(guard.check('https://vllm.internal/v1').hostname).toBe('vllm.internal');
    expect(guard.check('http://ollama.internal:11434/v1').port).toBe('11434');
    refusal(guard, 'http://ollama.internal:8080/v1');
    expect(guard.check('https://a.b.example.com').hostname).toBe('a.b.example.com');
    refusal(guard, 'https://example.com.evil.net');
    refusal(guard, 'https://notexample.com');
  });

  it('refuses malformed URLs, other schemes and embedded credentials, whatever the list', () => {
    const guard = createCustomHostGuard('*', { defaultAllowed: '' });
    expect(refusal(guard, 'not a url').code).toBe('invalid_custom_host');
    expect(refusal(guard, 'file:///etc/passwd').code).toBe('invalid_custom_host');
    expect(refusal(guard, 'http://user:secret@host/v1').message).not.toContain('secret');
    expect(guard.check('https://anything.example/v1').hostname).toBe('anything.example');
  });

  it('names the field it was given', () => {
    const guard = createCustomHostGuard('', { defaultAllowed: '' });
    try {
      guard.check('http://x', 'config.targets[0].custom_host');
    } catch (error) {
      expect((error as InvalidRequestError).param).toBe('config.targets[0].custom_host');
    }
  });
});
