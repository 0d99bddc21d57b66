/**
 * Removes a target's credentials from what an upstream says about them. Upstreams echo keys in
 * error messages, whole or masked: OpenAI's 401 says `Incorrect API key provided: sk-abc1***…wxyz`,
 * others quote the key in a 403 or a stream error event. Every such text passes here before it
 * reaches an answer, an SSE error event or a log line.
 *
 * Scrubbed: the value itself; a token sharing 10 characters in a row with it (a truncated key);
 * a masked token (`*`, `•`, `…` or `...` inside) whose text before a mask ends with the value's
 * start or whose text after a mask begins with its end; and a bare token equal to its last 4 to
 * 6 characters ("key ending in wxyz"). Values under 8 characters are scrubbed whole only.
 */
import { UpstreamError } from '../api/errors.ts';
import { CREDENTIAL_FIELDS, type ProviderTarget } from '../config/target.ts';

export const REDACTED = '[redacted]';

/** Values shorter than this are not scrubbed in part (too many false matches); whole, they still are. */
const MINIMUM_PARTIAL_LENGTH = 8;
/** Key-like tokens of a message, masks included. */
const TOKEN = /[A-Za-z0-9_\-+/=.*•…:]{4,}/g;
const MASK = /\*+|•+|…+|\.{2,}/;

/** Every credential value the call may have sent, and those the gateway signs with itself. */
export function credentialValuesOf(target: ProviderTarget, env: NodeJS.ProcessEnv = process.env): string[] {
  const values: string[] = [];
  for (const field of CREDENTIAL_FIELDS) {
    const value = target[field];
    if (typeof value === 'string' && value.length >= 4) values.push(value);
  }
  // Bedrock signs with these when the target has no keys; AWS's errors can name the key id.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const) {
    const value = env[name];
    if (value && value.length >= 4) values.push(value);
  }
  return values;
}

/**
 * @example scrubCredentials('Incorrect API key provided: sk-abc1***************wxyz.', ['sk-abc1def2ghi3wxyz'])
 * // 'Incorrect API key provided: [redacted].'
 */
export function scrubCredentials(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || text === '') return text;
  let scrubbed = text;
  for (const secret of secrets) if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join(REDACTED);
  return scrubbed.replace(TOKEN, (token) => {
    // A sentence's full stop or a label's colon is not part of the key.
    const core = token.replace(/^[.:]+|[.:]+$/g, '');
    if (core === '' || core === REDACTED) return token;
    return secrets.some((secret) => revealsSecret(core, secret)) ? token.replace(core, REDACTED) : token;
  });
}

/** Characters shared with a key that count as a piece of it, in a token without a mask. */
const SHARED_WINDOW = 10;

function revealsSecret(token: string, secret: string): boolean {
  if (secret.length < MINIMUM_PARTIAL_LENGTH) return false;
  if (sharesWindow(token, secret)) return true;
  if (MASK.test(token)) {
    // A mask hides the middle: the text before it may end with the key's start, the text after it begin with its end.
    const pieces = token.split(MASK);
    for (let position = 0; position < pieces.length; position++) {
      const piece = pieces[position]!;
      if (position < pieces.length - 1 && endsWithStartOf(piece, secret)) return true;
      if (position > 0 && startsWithEndOf(piece, secret)) return true;
    }
    return false;
  }
  return secret.length >= 16 && token.length >= 4 && token.length <= 6 && secret.endsWith(token);
}

function sharesWindow(token: string, secret: string): boolean {
  const width = Math.min(SHARED_WINDOW, secret.length);
  for (let start = 0; start + width <= token.length; start++) if (secret.includes(token.slice(start, start + width))) return true;
  return false;
}

function endsWithStartOf(piece: string, secret: string): boolean {
  for (let length = Math.min(piece.length, secret.length); length >= 3; length--) if (piece.endsWith(secret.slice(0, length))) return true;
  return false;
}

function startsWithEndOf(piece: string, secret: string): boolean {
  for (let length = Math.min(piece.length, secret.length); length >= 3; length--) if (piece.startsWith(secret.slice(-length))) return true;
  return false;
}

/**
 * The error with every credential scrubbed from what it tells (message, type, param, code) and
 * from its cause's message (logged). The error is the call's own, made for this call: it is
 * changed in place, keeping its class, status and retry facts.
 */
export function scrubUpstreamError<E extends UpstreamError>(error: E, secrets: readonly string[]): E {
  if (secrets.length === 0) return error;
  const writable = error as unknown as { message: string; type: string; param: string | null; code: string | null };
  writable.message = scrubCredentials(error.message, secrets);
  writable.type = scrubCredentials(error.type, secrets);
  if (error.param !== null) writable.param = scrubCredentials(error.param, secrets);
  if (error.code !== null) writable.code = scrubCredentials(error.code, secrets);
  if (error.cause instanceof Error) {
    const cause = new Error(scrubCredentials(error.cause.message, secrets));
    cause.name = error.cause.name;
    Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  }
  return error;
}
