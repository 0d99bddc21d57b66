import type { Context } from 'aws-lambda';

/** The Lambda context plus what our middlewares establish for the handler. */
export interface GatewayContext extends Context {
  /** From `x-portkey-trace-id`, or generated; echoed on every response. */
  traceId: string;
  /** The validated-as-JSON body (the schema is checked in the core). */
  parsedBody: unknown;
}
