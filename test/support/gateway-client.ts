/**
 * The usual integration set-up: a scripted fake provider on loopback, the real gateway behind the
 * local server, and the official `openai` SDK pointed at it with the provider's headers. Registers
 * its own beforeAll / afterAll; the returned object is filled in once beforeAll has run.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from './start-gateway.ts';

export interface GatewayClientSetup {
  upstream: FakeUpstream;
  gateway: RunningGateway;
  client: OpenAI;
}

export function useGatewayClient(options: {
  provider: string;
  /** The key the SDK sends as `Authorization: Bearer`. */
  apiKey?: string;
  /** Appended to the fake's URL to form `x-portkey-custom-host`, e.g. `/v1`. */
  hostPath?: string;
  headers?: Record<string, string>;
}): GatewayClientSetup {
  const setup = {} as GatewayClientSetup;
  beforeAll(async () => {
    setup.upstream = await startFakeUpstream();
    setup.gateway = await startGateway();
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
  afterAll(async () => {
    await setup.gateway?.close();
    await setup.upstream?.close();
  });
  return setup;
}
