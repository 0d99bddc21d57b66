import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CallerIdentity, KeyStore } from '../../../lib/keys/key-store.ts';
import { withKeyUseLog } from '../../../lib/keys/log-key-use.ts';
import type { GatewayContext } from '../gateway-context.ts';

export interface KeyStoreOptions {
  /** The container's store (built once, in the handler's dependencies). */
  store: KeyStore;
  /** Start reading the header's virtual key before the body is parsed. */
  prefetch?: boolean;
}

/**
 * Gives the handler the container's key store (`context.keyStore`), logging every use with the
 * request's trace id.
 *
 * With `prefetch`, the secret of `x-portkey-virtual-key` is requested at once, so its round trip
 * overlaps body parsing and validation; the routing's own look-up then joins the same call.
 * Only the header's key is prefetched: fallback targets' secrets are read only when tried.
 */
export function keyStore(options: KeyStoreOptions): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, GatewayContext> {
  const defaults = { prefetch: true };
  const { store, prefetch } = { ...defaults, ...options };

  return {
    before: function provideKeyStore(request) {
      request.context.keyStore = withKeyUseLog(store, request.context.traceId);
      const virtualKey = request.event.headers?.['x-portkey-virtual-key']?.trim();
      if (prefetch && virtualKey) {
        // Failures surface (and are logged) when the routing asks for the key; here they are only noise.
        store.getVirtualKey(virtualKey, callerOf(request.event)).catch(() => undefined);
      }
    },
  };
}

/** The IAM caller API Gateway authenticated; never taken from a header. */
export function callerOf(event: APIGatewayProxyEvent): CallerIdentity {
  const identity = event.requestContext?.identity;
  return { userArn: identity?.userArn ?? null, accountId: identity?.accountId ?? null };
}
