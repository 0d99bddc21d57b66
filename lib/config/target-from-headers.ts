import { InvalidRequestError } from '../api/errors.ts';
import { MAX_FORWARD_HEADERS, refusedForwardHeader } from './forwardable-headers.ts';
import { PROVIDER_FIELDS, type ProviderTarget } from './target.ts';

/** Request headers, names lower-cased. */
export type Headers = Readonly<Record<string, string | undefined>>;

/** `aws_region` -> `x-portkey-aws-region`, built once: this runs on every request. */
const PROVIDER_FIELD_HEADERS = PROVIDER_FIELDS.map((field) => [field, `x-portkey-${field.replaceAll('_', '-')}`] as const);

/**
 * The target the plain Portkey headers describe: `x-portkey-provider`, the key from
 * `Authorization: Bearer`, `x-portkey-custom-host`, `x-portkey-forward-headers`,
 * `x-portkey-request-timeout` and the provider-specific `x-portkey-*` fields.
 * Fields the headers do not set are absent, so a config can fill them.
 */
export function targetFieldsFromHeaders(headers: Headers): Partial<ProviderTarget> {
  const target: Partial<ProviderTarget> = {};
  const provider = headers['x-portkey-provider'];
  if (provider) target.provider = provider.trim();
  const apiKey = bearerToken(headers.authorization);
  if (apiKey) target.api_key = apiKey;
  const customHost = headers['x-portkey-custom-host'];
  if (customHost) target.custom_host = customHost.trim();
  const forward = headers['x-portkey-forward-headers'];
  if (forward) target.forward_headers = parseForwardHeaders(forward);
  const timeout = headers['x-portkey-request-timeout'];
  if (timeout !== undefined && timeout !== '') target.request_timeout = parseTimeout(timeout);
  const virtualKey = headers['x-portkey-virtual-key'];
  if (virtualKey) target.virtual_key = virtualKey.trim();
  for (const [field, header] of PROVIDER_FIELD_HEADERS) {
    const value = headers[header];
    if (value) target[field] = value;
  }
  return target;
}

/** The caller headers a target asked to forward, as they came. */
export function pickForwardedHeaders(headers: Headers, names: readonly string[] | undefined): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names ?? []) {
    const value = headers[name.toLowerCase()];
    if (value !== undefined) picked[name.toLowerCase()] = value;
  }
  return picked;
}

function parseForwardHeaders(value: string): string[] {
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const param = 'x-portkey-forward-headers';
  if (names.length > MAX_FORWARD_HEADERS) {
    throw new InvalidRequestError(`${param} names ${names.length} headers; at most ${MAX_FORWARD_HEADERS} are allowed.`, { param, code: 'invalid_forward_headers' });
  }
  for (const name of names) {
    const refused = refusedForwardHeader(name);
    if (refused) throw new InvalidRequestError(`${param}: ${refused}.`, { param, code: 'invalid_forward_headers' });
  }
  return names;
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return match ? match[1]!.trim() : undefined;
}

function parseTimeout(value: string): number {
  const milliseconds = Number(value);
  if (!Number.isInteger(milliseconds) || milliseconds <= 0) {
    throw new InvalidRequestError('x-portkey-request-timeout must be a positive whole number of milliseconds.', {
      param: 'x-portkey-request-timeout',
    });
  }
  return milliseconds;
}
