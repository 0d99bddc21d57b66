/**
 * The usual integration set-up: a scripted fake provider on loopback, the real gateway behind the
 * local server, and the official `openai` SDK pointed at it with the provider's headers. Registers
 * its own beforeAll / afterAll; the returned object is filled in once beforeAll has run.
 * `useUpstreamAndGateway` is the same without the client, for tests that build one per call.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from './start-gateway.ts';

export interface UpstreamAndGateway {
  upstream: FakeUpstream;
  gateway: RunningGateway;
}

export interface GatewayClientSetup extends UpstreamAndGateway {
  client: OpenAI;
}

/** Starts the fake upstream and the gateway before the file's tests and closes them after. */
export function useUpstreamAndGateway(): UpstreamAndGateway {
  const running = {} as UpstreamAndGateway;
  beforeAll(async () => {
    running.upstream = await startFakeUpstream();
    running.gateway = await startGateway();
  });
  afterAll(async () => {
    await running.gateway?.close();
    await running.upstream?.close();
  });
  return running;
}

export function useGatewayClient(options: {
  provider: string;
  /** The key the SDK sends as `Authorization: Bearer`. */
  apiKey?: string;
  /** Appended to the fake's URL to form `x-portkey-custom-host`, e.g. `/v1`. */
  hostPath?: string;
  headers?: Record<string, string>;
}): GatewayClientSetup {
  const setup = useUpstreamAndGateway() as GatewayClientSetup;
  beforeAll(() => {
    setup.client = new OpenAI({
      apiKey: options.apiKey ?? 'test-key',
      baseURL: setup.gateway.baseURL,
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-provider': options.provider,
        'x-portkey-custom-host': `${setup.upstream.url}${options.hostPath ?? ''}`,
        ...options.headers,
      },
    });
  });
  return setup;
}
