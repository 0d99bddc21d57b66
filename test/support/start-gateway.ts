/**
 * Starts the real completions handler behind the local server on a free loopback port,
 * inside the test process. `startGateway(env)` builds the deployed handler from the environment
 * (read at import, so each vitest file, which has its own module graph, sets it first);
 * `startGatewayWith(dependencies)` builds one with explicit dependencies, nothing from the environment.
 */
import type { AddressInfo } from 'node:net';
import type { CompletionsDependencies } from '../../functions/completions/handler.ts';
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
  return listen(handler as unknown as StreamingHandler);
}

export async function startGatewayWith(dependencies: CompletionsDependencies): Promise<RunningGateway> {
  installLambdaStreamingRuntime();
  const { createCompletionsHandler } = await import('../../functions/completions/handler.ts');
  return listen(createCompletionsHandler(dependencies) as unknown as StreamingHandler);
}

async function listen(handler: StreamingHandler): Promise<RunningGateway> {
  const server = createLocalServer(handler);
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
