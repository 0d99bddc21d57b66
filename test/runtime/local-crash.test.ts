/**
 * Under `npm start`, what kills a Lambda instance kills the local server too: an error on the
 * response stream after the first byte (here a `pipeline()` whose source fails) is an uncaught
 * exception, the process exits 1, and the caller's connection is cut. Needs no real runtime.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('exits 1 when the handler breaks its response stream mid-answer, as the Lambda runtime does', async () => {
  const script = fileURLToPath(new URL('./support/serve-crashing-handler.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (data: Buffer) => (errors += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (data: Buffer) => {
        output += data.toString();
        const match = /\{"port":(\d+)\}/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      void exited.then((code) => reject(new Error(`the server exited early (${code}): ${errors}`)));
    });
    const caller = await new Promise<{ body: string; outcome: string }>((resolve) => {
      const request = http.request({ host: '127.0.0.1', port, path: '/v1/completions', method: 'POST' }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ body, outcome: 'ended' }));
        response.on('error', () => resolve({ body, outcome: 'cut' }));
      });
      request.on('error', () => resolve({ body: '', outcome: 'cut' }));
      request.end('{}');
    });
    expect(await exited).toBe(1);
    expect(errors).toContain('LambdaRuntimeCrash');
    expect(errors).toContain('upstream broke');
    expect(caller.outcome).toBe('cut');
  } finally {
    child.kill('SIGKILL');
  }
}, 30_000);
