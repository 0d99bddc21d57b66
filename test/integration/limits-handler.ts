/**
 * The completions handler with limits wired as the deployed function wires them
 * (lib/limits/limits-from-env.ts), driven with API Gateway events that carry
 * `requestContext.identity` as IAM auth fills it, its answer read back from the response stream.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { vi } from 'vitest';
import type { CompletionsDependencies } from '../../functions/completions/handler.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import type { KeyStoreSettings } from '../../lib/keys/create-key-store.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { limitsFromEnv, type LimitsWiring, type LimitsWiringOptions } from '../../lib/limits/limits-from-env.ts';
import type { TargetMiddleware } from '../../lib/routing/target-middleware.ts';

class CapturingStream extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
}

vi.stubGlobal('awslambda', {
  streamifyResponse: (handler: unknown) => handler,
  HttpResponseStream: {
    from(stream: Writable, prelude: unknown) {
      stream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude)), Buffer.alloc(8)]));
      return stream;
    },
  },
});
const { createCompletionsHandler } = await import('../../functions/completions/handler.ts');

export interface Identity {
  userArn: string | null;
  accountId: string | null;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json(): { error?: { message: string; type: string; code: string | null } } & Record<string, unknown>;
}

export interface LimitedGateway {
  wiring: LimitsWiring;
  keysFile: string;
  send(body: Record<string, unknown>, options?: { identity?: Identity; headers?: Record<string, string> }): Promise<Answer>;
}

type Invoke = (event: unknown, stream: Writable, context: unknown) => Promise<void>;

/**
 * A handler whose keys file holds `keys` (virtual keys and the `limits` entry).
 * `env` is the limits' environment (GATEWAY_LIMITS_ON_STORE_ERROR); `inner` are middlewares inside limits (a cache).
 */
export function limitedGateway(
  keys: { virtual_keys?: Record<string, unknown>; limits?: unknown },
  options: LimitsWiringOptions & { env?: NodeJS.ProcessEnv; inner?: TargetMiddleware[] } = {},
): LimitedGateway {
  const keysFile = join(mkdtempSync(join(tmpdir(), 'limits-keys-')), 'gateway.keys.json');
  writeFileSync(keysFile, JSON.stringify(keys));
  const settings: KeyStoreSettings = { source: 'file', prefix: 'llm-gateway/', ttlSeconds: 300, graceSeconds: 3600, keysFile };
  const wiring = limitsFromEnv(options.env ?? {}, settings, options);
  const dependencies: CompletionsDependencies = {
    customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
    keyStore: createFileKeyStore(keys as Parameters<typeof createFileKeyStore>[0]),
    middlewares: [wiring.middleware, ...(options.inner ?? [])],
    settle: wiring.settled,
  };
  const handler = createCompletionsHandler(dependencies) as unknown as Invoke;
  return {
    wiring,
    keysFile,
    async send(body, sendOptions = {}) {
      const identity = sendOptions.identity ?? { userArn: 'arn:aws:iam::123456789012:role/app', accountId: '123456789012' };
      const stream = new CapturingStream();
      const event = {
        httpMethod: 'POST',
        path: '/v1/completions',
        headers: { 'content-type': 'application/json', ...sendOptions.headers },
        body: JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: { identity: { ...identity, caller: null, sourceIp: '127.0.0.1', user: null } },
      };
      await handler(event, stream, { getRemainingTimeInMillis: () => 900_000 });
      const all = Buffer.concat(stream.chunks);
      const split = all.indexOf(Buffer.alloc(8));
      const prelude = JSON.parse(all.subarray(0, split).toString()) as { statusCode: number; headers: Record<string, string> };
      const text = all.subarray(split + 8).toString();
      return { status: prelude.statusCode, headers: prelude.headers, body: text, json: () => JSON.parse(text) };
    },
  };
}

/** An IAM role session as API Gateway reports it. */
export function roleSession(role: string, session = 'session-1'): Identity {
  return { userArn: `arn:aws:sts::123456789012:assumed-role/${role}/${session}`, accountId: '123456789012' };
}
