/**
 * The benchmark's client: plain node:http over a keep-alive agent per target, timing each
 * request from send (or, open loop, from its scheduled send) to the last byte. It shares a
 * process and a core with the fake upstream, so it does as little as it can per request.
 */
import http from 'node:http';

export interface Target {
  name: string;
  /** The completions endpoint, e.g. `http://127.0.0.1:8787/v1/completions`. */
  url: string;
  headers: Record<string, string>;
}

export interface Client {
  target: Target;
  agent: http.Agent;
  options: http.RequestOptions;
}

export interface BlockResult {
  latencies: number[];
  errors: number;
  /** Completed requests per second over the block. */
  rate: number;
}

export function createClient(target: Target): Client {
  const url = new URL(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
  return {
    target,
    agent,
    options: { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: target.headers },
  };
}

/** One request; resolves with the status and the whole body once the last byte arrived. */
export function send(client: Client, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(client.options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setHeader('content-length', Buffer.byteLength(body));
    request.end(body);
  });
}

/** Like `send` but keeps nothing of the body: resolves true on a complete 200. */
function sendTimed(client: Client, body: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.request(client.options, (response) => {
      response.on('data', noop);
      response.on('end', () => resolve(response.statusCode === 200));
      response.on('error', () => resolve(false));
    });
    request.on('error', () => resolve(false));
    request.setHeader('content-length', body.length);
    request.end(body);
  });
}

function noop(): void {}

/** Closed loop: `concurrency` callers, each sending its next request when the last one ended, for `durationMs`. */
export async function closedLoop(client: Client, body: string, concurrency: number, durationMs: number): Promise<BlockResult> {
  const payload = Buffer.from(body);
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  async function caller(): Promise<void> {
    while (performance.now() < end) {
      const sent = performance.now();
      const ok = await sendTimed(client, payload);
      if (ok) latencies.push(performance.now() - sent);
      else errors++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { latencies, errors, rate: (latencies.length * 1000) / (performance.now() - start) };
}

/**
 * Open loop: requests start on a fixed schedule (`rate` per second) whatever the answers do,
 * and each latency counts from its scheduled start, so a gateway that falls behind shows it
 * (no coordinated omission). More than `maxInFlight` outstanding requests ends the block early
 * and counts the unsent rest as errors.
 */
export async function openLoop(client: Client, body: string, rate: number, durationMs: number, maxInFlight = 2000): Promise<BlockResult> {
  const payload = Buffer.from(body);
  const latencies: number[] = [];
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  let errors = 0;
  let started = 0;
  let inFlight = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finishOne = () => {
      inFlight--;
      if (started === total && inFlight === 0) resolve();
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (started < due) {
        if (inFlight >= maxInFlight) {
          errors += total - started;
          started = total;
          break;
        }
        const scheduled = start + started * interval;
        started++;
        inFlight++;
        void sendTimed(client, payload).then((ok) => {
          if (ok) latencies.push(performance.now() - scheduled);
          else errors++;
          finishOne();
        });
      }
      if (started < total) setTimeout(tick, Math.max(0, Math.min(1, interval - 0.1)));
      else if (inFlight === 0) resolve();
    };
    tick();
  });
  return { latencies, errors, rate: (latencies.length * 1000) / (performance.now() - start) };
}

export interface StreamTiming {
  /** Send to the first body byte. */
  ttfb: number;
  /** The largest gap between two body chunks. */
  maxGap: number;
  /** Send to the last byte. */
  total: number;
  complete: boolean;
}

/** One streamed completion, timing the first body byte and every gap between body chunks. */
export function streamOnce(client: Client, body: string, expectedEvents: number): Promise<StreamTiming> {
  return new Promise((resolve) => {
    const sent = performance.now();
    let first = Number.NaN;
    let last = sent;
    let maxGap = 0;
    let text = '';
    const request = http.request(client.options, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const now = performance.now();
        if (Number.isNaN(first)) first = now;
        else maxGap = Math.max(maxGap, now - last);
        last = now;
        text += chunk;
      });
      response.on('end', () => {
        const events = text.split('\n\n').filter((event) => event.startsWith('data: ') && !event.includes('[DONE]')).length;
        const complete = response.statusCode === 200 && text.includes('data: [DONE]') && events >= expectedEvents;
        resolve({ ttfb: first - sent, maxGap, total: last - sent, complete });
      });
      response.on('error', () => resolve({ ttfb: Number.NaN, maxGap: Number.NaN, total: Number.NaN, complete: false }));
    });
    request.on('error', () => resolve({ ttfb: Number.NaN, maxGap: Number.NaN, total: Number.NaN, complete: false }));
    request.setHeader('content-length', Buffer.byteLength(body));
    request.end(body);
  });
}
