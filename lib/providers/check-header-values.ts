/**
 * The last look at an upstream request's headers before node's HTTP client sees them. A value
 * with a character a header cannot carry (CR, LF, NUL, anything past Latin-1) makes
 * `http.request` throw `ERR_INVALID_CHAR`, which would reach the caller as a bare 500; here it
 * becomes a 400 naming the target field it came from (a credential, an id), never its value.
 * check-target-fields.ts refuses most such fields by shape earlier; this covers every provider
 * and every header whatever a provider or its signer built them from.
 */
import { InvalidRequestError } from '../api/errors.ts';
import type { ProviderTarget } from '../config/target.ts';

/** What node's http module accepts in a header value (lib/_http_common.js `checkInvalidHeaderChar`). */
const INVALID_HEADER_CHARACTER = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * @throws InvalidRequestError (400, `invalid_provider_field`) naming the field, or the header when no field holds the value.
 * @example checkHeaderValues({ 'x-api-key': 'sk-\n' }, { provider: 'anthropic', api_key: 'sk-\n' }) // throws, param 'x-portkey-api-key'
 */
export function checkHeaderValues(headers: Readonly<Record<string, string>>, target: ProviderTarget): void {
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' || !INVALID_HEADER_CHARACTER.test(value)) continue;
    const field = sourceField(value, target);
    if (field) {
      const header = `x-portkey-${field.replaceAll('_', '-')}`;
      throw new InvalidRequestError(`${field} (${header}) contains a character that cannot be sent in an HTTP header.`, { param: header, code: 'invalid_provider_field' });
    }
    throw new InvalidRequestError(`The upstream header ${name} would carry a character that cannot be sent in an HTTP header.`, { param: name, code: 'invalid_header_value' });
  }
}

/** The target field whose own invalid characters ended up in `value`. */
function sourceField(value: string, target: ProviderTarget): string | undefined {
  for (const [field, fieldValue] of Object.entries(target)) {
    if (typeof fieldValue === 'string' && INVALID_HEADER_CHARACTER.test(fieldValue) && value.includes(fieldValue)) return field;
  }
  return undefined;
}
