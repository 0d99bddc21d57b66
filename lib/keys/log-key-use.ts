import { log } from '../log.ts';
import type { KeyStore } from './key-store.ts';

/**
 * The store as one request sees it: every virtual key or config handed out is logged with who
 * asked (an audit trail: which IAM caller used which key), never with what it holds.
 */
export function withKeyUseLog(store: KeyStore, traceId: string): KeyStore {
  return {
    async getVirtualKey(name, caller) {
      const target = await store.getVirtualKey(name, caller);
      log.info('virtual key used', { traceId, virtualKey: name, provider: target.provider, callerArn: caller.userArn ?? null, callerAccount: caller.accountId ?? null });
      return target;
    },
    async getConfig(id, caller) {
      const config = await store.getConfig(id, caller);
      log.info('stored config used', { traceId, config: id, callerArn: caller.userArn ?? null, callerAccount: caller.accountId ?? null });
      return config;
    },
  };
}
