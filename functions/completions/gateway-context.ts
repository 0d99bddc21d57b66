import type { Context } from 'aws-lambda';
import type { KeyStore } from '../../lib/keys/key-store.ts';

/** The Lambda context plus what our middlewares establish for the handler. */
export interface GatewayContext extends Context {
  /** From `x-portkey-trace-id`, or generated; echoed on every response. */
  traceId: string;
  /** The validated-as-JSON body (the schema is checked in the core). */
  parsedBody: unknown;
  /** The container's virtual keys and stored configs (middlewares/key-store.ts). */
  keyStore?: KeyStore;
}
