/**
 * The local stand-in (`npm start`, and every in-process test) against the real runtime: the same
 * probe handlers run in this process under lib/local's `awslambda` and response stream, and in a
 * Node 24 process under AWS's runtime interface client; both sit behind the same API Gateway
 * stand-in. What the caller gets, and whether the runtime process dies, must be the same.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/local-server.ts';
import { installLambdaStreamingRuntime, type StreamingHandler } from '../../lib/local/lambda-streaming-runtime.ts';
import { startLambdaRuntimeProcess } from '../../lib/local/runtime-api/lambda-runtime-process.ts';
import { lambdaRuntime } from './support/lambda-runtime-install.ts';

/** One handler, many behaviours, chosen by the request body's `probe`. */
const PROBE_HANDLER = `
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const { probe } = JSON.parse(event.body);
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'x-probe': probe } });
  switch (probe) {
    case 'writes': stream.write('one'); stream.write(Buffer.from('two')); await sleep(10); stream.write({ three: 3 }); stream.end('four'); return;
    case 'end-with-body-only': stream.end('only'); return;
    case 'end-only': stream.end(); return;
    case 'shape': {
      const shape = {
        writable: stream instanceof Writable,
        onReturnsTheStream: typeof stream.on('drain', () => {}).write,
        pipe: typeof stream.pipe,
        setContentType: typeof stream.setContentType,
        highWaterMark: stream.writableHighWaterMark,
        contextKeys: Object.keys(context).sort(),
        identityKeys: Object.keys(event.requestContext.identity).sort(),
      };
      stream.write(JSON.stringify(shape)); stream.end(); return;
    }
    case 'reject-before-first-byte': throw new Error('before');
    case 'reject-after-first-byte': stream.write('partial'); await sleep(10); throw new Error('after');
    case 'destroy-after-first-byte': stream.write('partial'); await sleep(10); stream.destroy(new Error('broken')); return;
    case 'pipeline-source-fails': {
      stream.write('');
      const body = new Readable({ read() {} });
      body.push('data: 1\\n\\n');
      setTimeout(() => body.destroy(new Error('upstream broke')), 10);
      await pipeline(body, stream);
      return;
    }
    case 'write-after-end': stream.write('x'); stream.end(); stream.write('y'); return;
  }
});
`;

/** Probes whose handler the real runtime does not survive, found by running it. */
const FATAL = new Set(['destroy-after-first-byte', 'pipeline-source-fails', 'write-after-end']);

interface Observed {
  status: number | 'cut';
  contentType: string | undefined;
  probeHeader: string | undefined;
  body: string;
  runtimeDied: boolean;
}

/** Sends one probe to a front and reports what the caller saw; `died` says whether the runtime died. */
async function observe(port: number, probe: string, died: () => Promise<boolean>): Promise<Observed> {
  const seen = await new Promise<Omit<Observed, 'runtimeDied'>>((resolve) => {
    const request = http.request({ host: '127.0.0.1', port, path: '/v1/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      const result = (status: number | 'cut') => ({ status, contentType: response.headers['content-type'], probeHeader: response.headers['x-probe'] as string | undefined, body });
      response.on('end', () => resolve(result(response.statusCode!)));
      response.on('error', () => resolve(result('cut')));
    });
    request.on('error', () => resolve({ status: 'cut', contentType: undefined, probeHeader: undefined, body: '' }));
    request.end(JSON.stringify({ probe }));
  });
  return { ...seen, runtimeDied: await died() };
}

const PROBES = [
  'writes',
  'end-with-body-only',
  'end-only',
  'shape',
  'reject-before-first-byte',
  'reject-after-first-byte',
  'destroy-after-first-byte',
  'pipeline-source-fails',
  'write-after-end',
] as const;

describe.skipIf(!lambdaRuntime)('the local stand-in behaves like the real runtime', () => {
  let directory: string;
  let standIn: http.Server;
  let standInPort: number;
  const crashes: Error[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'runtime-probe-'));
    writeFileSync(join(directory, 'index.mjs'), PROBE_HANDLER);
    installLambdaStreamingRuntime();
    const { handler } = (await import(pathToFileURL(join(directory, 'index.mjs')).href)) as { handler: StreamingHandler };
    standIn = createLocalServer(handler, { onCrash: (error) => crashes.push(error) });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    standInPort = (standIn.address() as AddressInfo).port;
  });
  afterAll(() => {
    standIn?.closeAllConnections();
    standIn?.close();
  });

  it.each(PROBES)('%s', async (probe) => {
    const crashesBefore = crashes.length;
    const local = await observe(standInPort, probe, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return crashes.length > crashesBefore;
    });

    const runtime = await startLambdaRuntimeProcess({ install: lambdaRuntime!, taskRoot: directory });
    const front = createLocalServer(undefined, { runtimeApi: runtime.emulator });
    try {
      await runtime.ready;
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      const real = await observe((front.address() as AddressInfo).port, probe, async () => {
        const exit = await Promise.race([runtime.exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 400))]);
        return exit !== undefined;
      });
      expect(real.runtimeDied).toBe(FATAL.has(probe));
      if (real.runtimeDied) {
        // How much left the process before it died is a race there; that it died is not.
        expect(local.runtimeDied).toBe(true);
      } else {
        expect(local).toEqual(real);
      }
    } finally {
      front.closeAllConnections();
      front.close();
      await runtime.stop();
    }
  });
});
