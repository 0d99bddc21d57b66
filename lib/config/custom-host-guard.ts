import { InvalidRequestError } from '../api/errors.ts';
import { createAddressPolicy, normalise, type AddressPolicy } from '../upstream/address-policy.ts';

/**
 * Decides which custom hosts a caller may send requests to. Without a guard a gateway inside a
 * VPC is an open proxy to every internal address (SSRF), so on Lambda nothing is allowed unless
 * `GATEWAY_ALLOWED_CUSTOM_HOSTS` says so; locally, loopback is allowed for vLLM / Ollama.
 *
 * The list is comma-separated; each entry is a host name (`vllm.internal`), a host and port
 * (`localhost:8000`), a wildcard suffix (`*.example.com`), `loopback`, an IP range (`10.0.0.0/8`),
 * or `*` (any name). Whatever a name resolves to is checked again when the socket connects:
 * loopback, private, link-local and metadata addresses only where the list names them as
 * addresses (`loopback`, an IP, a range), see lib/upstream/address-policy.ts.
 */
export interface CustomHostGuard {
  /** @throws InvalidRequestError (400) saying why a host is refused. */
  check(customHost: string, param?: string): URL;
  /** The addresses a host that passed `check` may connect to (checked at connect time). */
  readonly addresses: AddressPolicy;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function createCustomHostGuard(allowed: string | undefined, options: { defaultAllowed: string }): CustomHostGuard {
  const entries = (allowed ?? options.defaultAllowed)
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  const addresses = createAddressPolicy(entries);
  const ranges = entries.filter((entry) => entry.includes('/')).map((entry) => createAddressPolicy([entry]));

  function isAllowed(url: URL): boolean {
    const host = url.hostname.toLowerCase();
    return entries.some((entry) => {
      if (entry === '*') return true;
      if (entry.includes('/')) return normalise(host)[1] !== undefined && ranges.some((range) => range.lists(host));
      if (entry === 'loopback') return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
      if (entry.startsWith('*.')) return host.endsWith(entry.slice(1));
      if (entry.includes(':') && !entry.startsWith('[')) return url.host.toLowerCase() === entry;
      return host === entry;
    });
  }

  return {
    addresses,
    check(customHost, param = 'x-portkey-custom-host') {
      let url: URL;
      try {
        url = new URL(customHost);
      } catch {
        throw new InvalidRequestError(`Custom host "${customHost}" is not an absolute URL.`, { param, code: 'invalid_custom_host' });
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new InvalidRequestError(`Custom host "${customHost}" must use http or https.`, { param, code: 'invalid_custom_host' });
      }
      if (url.username || url.password) {
        throw new InvalidRequestError('Custom host must not contain credentials.', { param, code: 'invalid_custom_host' });
      }
      if (!isAllowed(url)) {
        throw new InvalidRequestError(
          `Custom host "${url.host}" is not allowed by this gateway; ask its operators to add it to GATEWAY_ALLOWED_CUSTOM_HOSTS.`,
          { param, code: 'custom_host_not_allowed' },
        );
      }
      return url;
    },
  };
}
