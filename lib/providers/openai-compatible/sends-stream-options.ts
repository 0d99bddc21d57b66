import type { ProviderTarget } from '../../config/target.ts';

/** Whether a provider's server takes `stream_options`: always, never, or depending on the target (an API version). */
export type StreamOptionsSupport = boolean | ((target: ProviderTarget) => boolean);

/**
 * Whether this call's upstream gets `stream_options: {include_usage: true}`: the target's
 * `send_stream_options` (the operator knows the server's build) wins over the provider's own
 * support. Without it a stream reports no usage and the usage record counts tokens itself.
 * @example sendsStreamOptions({ provider: 'vllm', send_stream_options: false }) // false
 */
export function sendsStreamOptions(target: ProviderTarget, support: StreamOptionsSupport = true): boolean {
  if (target.send_stream_options !== undefined) return target.send_stream_options;
  return typeof support === 'function' ? support(target) : support;
}
