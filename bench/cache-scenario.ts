/**
 * The response cache inside `npm run bench` (issue #14, "Measure"): the same request through our
 * gateway process (the bundled `npm start`, in-process store) with the cache off, as a hit, and
 * as a miss, against the fake upstream called directly. The miss is measured with
 * `x-portkey-cache-force-refresh: true` (the benchmark client sends one fixed body): the upstream
 * call, compressing and the write, less only the empty read (a map lookup in memory). CPU is the
 * gateway process's own (/proc), per request, at concurrency 16.
 */
import { cpuMillisecondsOf, type GatewayProcess } from './gateways.ts';
import { createClient, send, type Client, type Target } from './load-client.ts';
import { measureLatency, type LatencyFigures } from './scenarios.ts';
import { signed } from './stats.ts';

export interface CacheBenchOptions {
  gateway: GatewayProcess;
  direct: Target;
  /** The headers of every gateway request (provider, key, custom host). */
  headers: Record<string, string>;
  body: string;
  rounds: number;
  blockMs: number;
}

const CONCURRENCIES = [1, 16] as const;
const CPU_CONCURRENCY = 16;

/** Measures, then renders the markdown section (also printed on the terminal). */
export async function measureCacheCosts(options: CacheBenchOptions): Promise<string> {
  const { gateway, headers } = options;
  const url = `http://127.0.0.1:${gateway.port}/v1/completions`;
  const paths: Target[] = [
    options.direct,
    { name: 'cache off', url, headers },
    { name: 'cache HIT', url, headers: { ...headers, 'x-portkey-cache': 'simple' } },
    { name: 'cache MISS (refresh)', url, headers: { ...headers, 'x-portkey-cache': 'simple', 'x-portkey-cache-force-refresh': 'true' } },
  ];
  const clients = paths.map(createClient);
  try {
    await expectStatus(clients[3]!, 'REFRESH', options.body); // also fills the entry the hits read
    await expectStatus(clients[2]!, 'HIT', options.body);
    await expectStatus(clients[1]!, 'DISABLED', options.body);

    const latency = new Map<number, Map<string, LatencyFigures>>();
    const cpu = new Map<string, { milliseconds: number; requests: number }>();
    let cpuBefore = 0;
    for (const concurrency of CONCURRENCIES) {
      latency.set(
        concurrency,
        await measureLatency(clients, options.body, concurrency, options.rounds, options.blockMs, {
          before: () => {
            cpuBefore = cpuMillisecondsOf(gateway.process.pid!);
          },
          after: (name, requests) => {
            if (concurrency !== CPU_CONCURRENCY || name === options.direct.name) return;
            const sum = cpu.get(name) ?? { milliseconds: 0, requests: 0 };
            sum.milliseconds += cpuMillisecondsOf(gateway.process.pid!) - cpuBefore;
            sum.requests += requests;
            cpu.set(name, sum);
          },
        }),
      );
    }
    return render(latency, cpu, options.direct.name);
  } finally {
    for (const client of clients) client.agent.destroy();
  }
}

async function expectStatus(client: Client, status: string, body: string): Promise<void> {
  // `send` keeps no headers; a hit is checked through a second, header-reading request.
  const answer = await send(client, body);
  if (answer.status !== 200) throw new Error(`${client.target.name} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  const response = await fetch(client.target.url, { method: 'POST', headers: client.target.headers, body });
  await response.arrayBuffer();
  const seen = response.headers.get('x-portkey-cache-status');
  if (seen !== status) throw new Error(`${client.target.name}: expected x-portkey-cache-status ${status}, got ${seen}`);
}

function render(latency: Map<number, Map<string, LatencyFigures>>, cpu: Map<string, { milliseconds: number; requests: number }>, direct: string): string {
  const lines = [
    '## Response cache (issue #14)',
    '',
    'Our gateway (bundled `npm start`, in-process store), one fixed request; the miss is a forced refresh',
    '(upstream call + compress + write, without the empty read). Latency in ms, client-side, closed loop;',
    '"added" is against the path named. CPU is the gateway process, µs per request, at concurrency 16.',
    '',
    '| path | c | p50 | p99 | added p50 vs direct | added p50 vs cache off | req/s | CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [concurrency, figures] of latency) {
    const directP50 = figures.get(direct)!.p50;
    const offP50 = figures.get('cache off')!.p50;
    for (const [name, figure] of figures) {
      const sum = cpu.get(name);
      const cpuUs = sum && concurrency === CPU_CONCURRENCY ? ((sum.milliseconds * 1000) / sum.requests).toFixed(0) : '';
      const errors = figure.errors > 0 ? ` (${figure.errors} errors)` : '';
      lines.push(
        `| ${name}${errors} | ${concurrency} | ${figure.p50.toFixed(3)} | ${figure.p99.toFixed(3)} | ${name === direct ? '' : signed(figure.p50 - directP50, 3)} | ${
          name === direct || name === 'cache off' ? '' : signed(figure.p50 - offP50, 3)
        } | ${figure.rate.toFixed(0)} | ${cpuUs} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
