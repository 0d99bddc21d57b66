/**
 * Starts the real completions handler behind the local server on a free loopback port,
 * inside the test process. Environment variables are read at import, so set them first
 * (through `env`); each vitest file runs in its own module graph.
 */
import type { AddressInfo } from 'node:net';
import { createLocalServer } from '../../lib/local/local-server.ts';
import { installLambdaStreamingRuntime, type StreamingHandler } from '../../lib/local/lambda-streaming-runtime.ts';

export interface RunningGateway {
  url: string;
  /** `${url}/v1`, the baseURL for the openai SDK. */
  baseURL: string;
  close(): Promise<void>;
}

export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  process.env.GATEWAY_ALLOWED_CUSTOM_HOSTS ??= 'loopback';
  Object.assign(process.env, env);
  installLambdaStreamingRuntime();
  const { handler } = await import('../../functions/completions/handler.ts');
  const server = createLocalServer(handler as unknown as StreamingHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
