/**
 * How a virtual key or config name that never resolved is shown to the caller and in logs.
 * Such a name is whatever the caller put in `x-portkey-virtual-key` or `x-portkey-config`, and
 * the usual mistake is a provider key pasted there (`sk-…`): echoing it back or logging it would
 * leak the very thing the gateway exists to keep. Shown instead: its first 4 characters and a
 * fingerprint, enough for the caller (or an operator grepping the logs) to tell which name it was.
 * A name that did resolve is an operator's secret name and is shown as it is.
 */
import { createHash } from 'node:crypto';

const SHOWN_CHARACTERS = 4;

/**
 * @example describeUnresolvedName('sk-proj-abc123…') // 'sk-p… (sha256 1f0c2a9b)'
 */
export function describeUnresolvedName(name: string): string {
  const fingerprint = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, SHOWN_CHARACTERS)}… (sha256 ${fingerprint})`;
}
