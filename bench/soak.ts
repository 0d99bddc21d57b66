/**
 * `npm run bench -- --soak` (or `tsx bench/soak.ts [--requests N] [--concurrency C]`): tens of
 * thousands of mixed requests against the gateway's local server in its own process, with callers
 * that leave (before the answer, mid-stream) and upstreams that cut (before headers, mid-body,
 * mid-stream), error or stall briefly. Reports the gateway's heap and RSS (after a full GC) before
 * and after, its open sockets, and the TCP sockets left in CLOSE_WAIT on either side of it.
 * Never part of `npm test`: it takes tens of seconds and its figures depend on the machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface MemoryReport {
  heapUsedMb: number;
  rssMb: number;
  openSockets: number;
}

const MB = 1024 * 1024;

/** The gateway side: the real handler behind the local server, answering memory questions over IPC. */
async function serve(): Promise<void> {
  process.env.GATEWAY_ALLOWED_CUSTOM_HOSTS ??= 'loopback';
  process.env.GATEWAY_KEY_SOURCE ??= 'file';
  const { installLambdaStreamingRuntime } = await import('../lib/local/lambda-streaming-runtime.ts');
  const { createLocalServer } = await import('../lib/local/local-server.ts');
  installLambdaStreamingRuntime();
  const { handler } = await import('../functions/completions/handler.ts');
  const server = createLocalServer(handler as never);
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'memory') return;
    // Two collections: the first may only schedule finalisers.
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    const sockets = readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
    process.send!({ heapUsedMb: usage.heapUsed / MB, rssMb: usage.rss / MB, openSockets: sockets } satisfies MemoryReport);
  });
}

export interface SoakSettings {
  requests: number;
  concurrency: number;
  warmup: number;
}

function readSettings(argv: string[]): SoakSettings {
  const value = (name: string, fallback: number) => {
    const index = argv.indexOf(name);
    return index === -1 ? fallback : Number(argv[index + 1]);
  };
  return { requests: value('--requests', 40_000), concurrency: value('--concurrency', 32), warmup: value('--warmup', 2_000) };
}

/** What each request does, with its share of the mix. */
const KINDS = [
  ['json', 22],
  ['stream', 18],
  ['caller leaves mid-stream', 10],
  ['caller leaves before the answer', 10],
  ['upstream cuts mid-stream', 10],
  ['upstream cuts before headers', 5],
  ['upstream cuts mid-body', 5],
  ['upstream 500', 5],
  ['invalid body', 6],
  ['malformed JSON', 3],
  ['wrong method', 2],
  ['caller leaves mid-body', 4],
] as const;
type Kind = (typeof KINDS)[number][0];

/** The upstream's behaviour by path: `/{behaviour}/v1/completions`. */
function startUpstream(): Promise<{ server: http.Server; url: string }> {
  const chunk = (text: string, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'cmpl-soak', object: 'text_completion', created: 1, model: 'm', choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] })}\n\n`;
  const completion = JSON.stringify({ id: 'cmpl-soak', object: 'text_completion', created: 1, model: 'm', choices: [{ text: 'ok', index: 0, logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('error', () => {});
    response.on('error', () => {});
    request.on('end', () => {
      const behaviour = request.url!.split('/')[1];
      const later = (ms: number, work: () => void) => setTimeout(() => !response.destroyed && work(), ms);
      switch (behaviour) {
        case 'json':
          return later(2, () => response.writeHead(200, { 'content-type': 'application/json' }).end(completion));
        case 'slow':
          return later(40, () => response.writeHead(200, { 'content-type': 'application/json' }).end(completion));
        case 'error':
          return response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"soak","type":"server_error"}}');
        case 'cut-headers':
          return request.socket.destroy();
        case 'cut-body':
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(completion.length) });
          response.write(completion.slice(0, 20));
          return later(2, () => response.destroy());
        case 'stream':
        case 'cut-stream': {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          let sent = 0;
          const next = () => {
            if (response.destroyed) return;
            if (behaviour === 'cut-stream' && sent === 2) return response.destroy();
            if (sent === 5) return response.end(`${chunk('', 'stop')}data: [DONE]\n\n`);
            response.write(chunk(`t${sent++}`, null));
            setTimeout(next, 3);
          };
          return next();
        }
        default:
          return response.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** One request of `kind`; resolves with how it ended, never rejects. */
function sendOne(kind: Kind, gatewayPort: number, upstreamUrl: string, agent: http.Agent): Promise<string> {
  const behaviour: Record<Kind, string> = {
    json: 'json',
    stream: 'stream',
    'caller leaves mid-stream': 'stream',
    'caller leaves before the answer': 'slow',
    'upstream cuts mid-stream': 'cut-stream',
    'upstream cuts before headers': 'cut-headers',
    'upstream cuts mid-body': 'cut-body',
    'upstream 500': 'error',
    'invalid body': 'json',
    'malformed JSON': 'json',
    'wrong method': 'json',
    'caller leaves mid-body': 'json',
  };
  const stream = kind === 'stream' || kind === 'caller leaves mid-stream' || kind === 'upstream cuts mid-stream';
  const body =
    kind === 'invalid body' ? JSON.stringify({ model: 'm', prompt: 'x', temperature: 9, n: 'many' })
    : kind === 'malformed JSON' ? '{"model": "m", "prompt": '
    : JSON.stringify({ model: 'm', prompt: 'Say this is a test', max_tokens: 8, stream });
  return new Promise((resolve) => {
    const request = http.request({
      host: '127.0.0.1',
      port: gatewayPort,
      path: '/v1/completions',
      method: kind === 'wrong method' ? 'GET' : 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        // A GET declares no body: a declared one would swallow the next request on the connection.
        'content-length': kind === 'wrong method' ? 0 : kind === 'caller leaves mid-body' ? body.length + 10 : body.length,
        authorization: 'Bearer sk-soak-not-a-key',
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${upstreamUrl}/${behaviour[kind]}/v1`,
      },
    });
    let settled = false;
    const settle = (outcome: string) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    request.on('error', () => settle('client error'));
    request.on('response', (response) => {
      response.on('error', () => settle('client error'));
      if (kind === 'caller leaves mid-stream') {
        response.once('data', () => {
          request.destroy();
          settle('left mid-stream');
        });
      } else {
        response.resume();
      }
      response.on('end', () => settle(String(response.statusCode)));
      response.on('close', () => settle(`closed ${response.statusCode}`));
    });
    if (kind === 'caller leaves before the answer') {
      setTimeout(() => {
        request.destroy();
        settle('left before the answer');
      }, 5 + Math.floor(Math.random() * 20));
    }
    if (kind === 'wrong method') return request.end();
    if (kind === 'caller leaves mid-body') {
      request.write(body);
      setTimeout(() => {
        request.destroy();
        settle('left mid-body');
      }, 5);
      return;
    }
    request.end(body);
  });
}

/** TCP sockets on loopback by state, for those whose either end is one of `ports`. */
function socketStates(ports: number[]): Record<string, number> {
  const names: Record<string, string> = { '01': 'ESTABLISHED', '06': 'TIME_WAIT', '08': 'CLOSE_WAIT', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '09': 'LAST_ACK', '0A': 'LISTEN', '07': 'CLOSE', '0B': 'CLOSING' };
  const counts: Record<string, number> = {};
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4) continue;
      const local = parseInt(fields[1]!.split(':')[1]!, 16);
      const remote = parseInt(fields[2]!.split(':')[1]!, 16);
      if (!ports.includes(local) && !ports.includes(remote)) continue;
      const state = names[fields[3]!] ?? fields[3]!;
      counts[state] = (counts[state] ?? 0) + 1;
    }
  }
  return counts;
}

function ask(child: ChildProcess): Promise<MemoryReport> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as MemoryReport));
    child.send({ type: 'memory' });
  });
}

/** A small seeded generator, so two runs send the same mix in the same order. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

export interface SoakReport {
  requests: number;
  seconds: number;
  outcomes: Record<string, number>;
  /** Mean milliseconds per outcome, warm-up included. */
  meanMs: Record<string, number>;
  before: MemoryReport;
  after: MemoryReport;
  socketsAfter: Record<string, number>;
  gatewayAlive: boolean;
}

export async function runSoak(settings: SoakSettings): Promise<SoakReport> {
  const upstream = await startUpstream();
  const child = fork(new URL(import.meta.url).pathname, ['--serve'], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { port: number }));
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${stderr}`)));
  });
  try {
    return await drive(settings, child, port, upstream.url);
  } finally {
    // Also on failure: an orphaned gateway would keep its port and memory.
    child.kill('SIGTERM');
    upstream.server.closeAllConnections();
    upstream.server.close();
  }
}

async function drive(settings: SoakSettings, child: ChildProcess, port: number, upstreamUrl: string): Promise<SoakReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.concurrency });
  const random = seeded(11);
  const total = KINDS.reduce((sum, [, weight]) => sum + weight, 0);
  const pick = (): Kind => {
    let roll = random() * total;
    for (const [kind, weight] of KINDS) if ((roll -= weight) < 0) return kind;
    return 'json';
  };
  const outcomes: Record<string, number> = {};
  const elapsed: Record<string, number> = {};
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: settings.concurrency }, async () => {
        while (next < count) {
          next++;
          const kind = pick();
          const sentAt = performance.now();
          const outcome = await sendOne(kind, port, upstreamUrl, agent);
          const key = `${kind} -> ${outcome}`;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
          elapsed[key] = (elapsed[key] ?? 0) + performance.now() - sentAt;
        }
      }),
    );
  };

  await run(settings.warmup);
  const before = await ask(child);
  const started = performance.now();
  let done = 0;
  const progress = setInterval(() => process.stderr.write(`[soak] ${done} / ${settings.requests}\n`), 5_000);
  for (let block = 0; block < settings.requests; block += 5_000) {
    await run(Math.min(5_000, settings.requests - block));
    done = Math.min(settings.requests, block + 5_000);
  }
  clearInterval(progress);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  // Time for both sides to finish closing what the callers and the upstream left.
  await new Promise((wait) => setTimeout(wait, 2_000));
  const after = await ask(child);
  const socketsAfter = socketStates([port, Number(new URL(upstreamUrl).port)]);
  const gatewayAlive = child.exitCode === null;
  const meanMs = Object.fromEntries(Object.entries(elapsed).map(([key, total]) => [key, total / outcomes[key]!]));
  return { requests: settings.requests, seconds, outcomes, meanMs, before, after, socketsAfter, gatewayAlive };
}

export function renderSoak(report: SoakReport): string {
  const lines = [
    `soak: ${report.requests} mixed requests in ${report.seconds.toFixed(1)} s (${Math.round(report.requests / report.seconds)}/s); gateway ${report.gatewayAlive ? 'alive' : 'DEAD'}`,
    `heap ${report.before.heapUsedMb.toFixed(1)} -> ${report.after.heapUsedMb.toFixed(1)} MB, RSS ${report.before.rssMb.toFixed(1)} -> ${report.after.rssMb.toFixed(1)} MB (after GC)`,
    `gateway's open sockets ${report.before.openSockets} -> ${report.after.openSockets}; TCP sockets of the gateway and upstream ports after: ${JSON.stringify(report.socketsAfter)}`,
    'outcomes (kind -> how it ended):',
    ...Object.entries(report.outcomes).sort().map(([key, count]) => `  ${key}: ${count} (mean ${report.meanMs[key]!.toFixed(1)} ms)`),
  ];
  return lines.join('\n');
}

async function main(settings: SoakSettings): Promise<void> {
  const report = await runSoak(settings);
  process.stdout.write(`${renderSoak(report)}\n`);
  if (!report.gatewayAlive || (report.socketsAfter.CLOSE_WAIT ?? 0) > 0) process.exitCode = 1;
}

// Last, so every declaration above is initialised: `--serve` is the gateway's side of the fork.
if (process.argv.includes('--serve')) await serve();
else if (import.meta.url === `file://${process.argv[1]}`) await main(readSettings(process.argv));
