/**
 * Child process for the infra tests: serves a *bundled* handler (the deployed asset's `index.mjs`,
 * argv[2]) behind the local server, on a free loopback port it prints as `{"port":N}`. Run with
 * `node --import tsx`; only the runtime stand-in and the local server are TypeScript, the handler
 * and its chunks are the built JavaScript, loaded by Node itself from the asset folder.
 * Environment variables (keys, endpoints) are the parent's to set; the process runs until killed.
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createLocalServer } from '../../lib/local/local-server.ts';
import { installLambdaStreamingRuntime, type StreamingHandler } from '../../lib/local/lambda-streaming-runtime.ts';

const entryFile = process.argv[2];
if (!entryFile) throw new Error('usage: node --import tsx serve-bundled-handler.ts <bundle entry .mjs>');

installLambdaStreamingRuntime();
const { handler } = (await import(pathToFileURL(entryFile).href)) as { handler: StreamingHandler };
const server = createLocalServer(handler);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
