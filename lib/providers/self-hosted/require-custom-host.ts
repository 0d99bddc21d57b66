import { InvalidRequestError } from '../../api/errors.ts';

/**
 * The base URL of a server that runs wherever its operator put it (SGLang, LM Studio,
 * llama.cpp, Triton): there is no default host, so a request without one is a 400 saying so.
 * @example baseUrl: requireCustomHost('sglang', 'http://my-sglang:30000/v1')
 */
export function requireCustomHost(provider: string, example: string): () => string {
  return () => {
    throw new InvalidRequestError(`${provider} needs the server’s address: set x-portkey-custom-host (e.g. ${example}) or custom_host in the config.`, {
      param: 'x-portkey-custom-host',
      code: 'missing_custom_host',
    });
  };
}
