/**
 * The measurements, each interleaved across targets: every round runs one block per target, in
 * an order that rotates per round, so drift (JIT, GC, a neighbour's load) is shared by all.
 */
import { closedLoop, openLoop, streamOnce, type Client } from './load-client.ts';
import { percentile } from './stats.ts';

export type TargetName = 'direct' | 'ours' | 'floor' | 'portkey';

/** Runs `block` once per target per round, rotating the order each round. */
async function interleave<T>(clients: Client[], rounds: number, block: (client: Client) => Promise<T>): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(clients.map((client) => [client.target.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < clients.length; index++) {
      const client = clients[(index + round) % clients.length]!;
      results.get(client.target.name)!.push(await block(client));
    }
  }
  return results;
}

export interface LatencyFigures {
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  /** Requests per second while measuring (closed loop: what this concurrency achieved). */
  rate: number;
}

/** Closed-loop latency at one concurrency. `onBlock` sees each block (for CPU accounting). */
export async function measureLatency(
  clients: Client[],
  body: string,
  concurrency: number,
  rounds: number,
  blockMs: number,
  hooks: { before?: (name: string) => void; after?: (name: string, requests: number) => void } = {},
): Promise<Map<string, LatencyFigures>> {
  const blocks = await interleave(clients, rounds, async (client) => {
    hooks.before?.(client.target.name);
    const result = await closedLoop(client, body, concurrency, blockMs);
    hooks.after?.(client.target.name, result.latencies.length);
    return result;
  });
  const figures = new Map<string, LatencyFigures>();
  for (const [name, results] of blocks) {
    const latencies = results.flatMap((result) => result.latencies);
    figures.set(name, {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      requests: latencies.length,
      errors: results.reduce((sum, result) => sum + result.errors, 0),
      rate: results.reduce((sum, result) => sum + result.rate, 0) / results.length,
    });
  }
  return figures;
}

export interface StreamFigures {
  ttfbP50: number;
  ttfbP99: number;
  /** Median over streams of each stream's largest inter-chunk gap. */
  maxGapP50: number;
  /** The largest inter-chunk gap seen in any stream. */
  maxGapWorst: number;
  streams: number;
  incomplete: number;
}

/**
 * Streams `perBlock` completions per block, `concurrency` at a time, their starts `staggerMs`
 * apart: with chunks 20 ms apart and 4 streams 5 ms apart, no two requests or chunks reach the
 * gateway together, so TTFB and gaps measure latency, not queueing behind a neighbour.
 */
export async function measureStreams(
  clients: Client[],
  body: string,
  expectedEvents: number,
  rounds: number,
  perBlock: number,
  concurrency: number,
  staggerMs = 0,
): Promise<Map<string, StreamFigures>> {
  const blocks = await interleave(clients, rounds, async (client) => {
    const timings = [];
    for (let done = 0; done < perBlock; done += concurrency) {
      const batch = Math.min(concurrency, perBlock - done);
      timings.push(
        ...(await Promise.all(
          Array.from({ length: batch }, async (_, position) => {
            if (position > 0) await new Promise((resolve) => setTimeout(resolve, position * staggerMs));
            return streamOnce(client, body, expectedEvents);
          }),
        )),
      );
    }
    return timings;
  });
  const figures = new Map<string, StreamFigures>();
  for (const [name, results] of blocks) {
    const timings = results.flat();
    const complete = timings.filter((timing) => timing.complete);
    figures.set(name, {
      ttfbP50: percentile(complete.map((timing) => timing.ttfb), 50),
      ttfbP99: percentile(complete.map((timing) => timing.ttfb), 99),
      maxGapP50: percentile(complete.map((timing) => timing.maxGap), 50),
      maxGapWorst: Math.max(...complete.map((timing) => timing.maxGap)),
      streams: timings.length,
      incomplete: timings.length - complete.length,
    });
  }
  return figures;
}

export interface RateFigures {
  /** The highest rate (requests/s) that met the bounds. */
  sustained: number;
  /** Median and p99 latency at that rate, ms. */
  p50AtSustained: number;
  p99AtSustained: number;
  /** The lowest rate that failed, or Infinity when the search hit its cap. */
  firstFailing: number;
}

/** A step's answers must keep pace with its schedule: completed per second >= this share of the offered rate. */
const KEEP_UP_SHARE = 0.95;

/**
 * The highest open-loop rate each target sustains: every request answered, answers keeping pace
 * with the schedule (no backlog: completed/s >= 95% of offered over the step) and the median
 * latency at most `p50BoundMs`. Doubling from `startRate` until a step fails (twice in a row),
 * then bisecting. Targets take their steps in turn.
 *
 * The median, not p99: on a shared 2-core machine one scheduler stall of 20 ms or more spans
 * over 1% of a step's requests, so a p99 bound failed every step of every fast target (the floor
 * proxy at 0/s beside our 125/s) and measured the machine's stalls, not the target's capacity.
 * A target past its capacity queues, and then its median and its pace both give way at once.
 */
export async function searchSustainedRate(
  clients: Client[],
  body: string,
  options: { p50BoundMs: number; startRate: number; maxRate: number; stepMs: number; bisections: number; pauseMs: number },
): Promise<Map<string, RateFigures>> {
  interface Search {
    client: Client;
    next: number;
    pass: number;
    atPass: { p50: number; p99: number };
    fail: number;
    bisected: number;
    done: boolean;
  }
  const searches: Search[] = clients.map((client) => ({
    client,
    next: options.startRate,
    pass: 0,
    atPass: { p50: Number.NaN, p99: Number.NaN },
    fail: Number.POSITIVE_INFINITY,
    bisected: 0,
    done: false,
  }));
  const step = async (client: Client, rate: number) => {
    const result = await openLoop(client, body, rate, options.stepMs);
    const p50 = percentile(result.latencies, 50);
    const p99 = percentile(result.latencies, 99);
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    return { passed: result.errors === 0 && result.rate >= KEEP_UP_SHARE * rate && p50 <= options.p50BoundMs, p50, p99 };
  };
  for (let round = 0; searches.some((search) => !search.done); round++) {
    for (let index = 0; index < searches.length; index++) {
      const search = searches[(index + round) % searches.length]!;
      if (search.done) continue;
      const rate = Math.round(search.next);
      let { passed, p50, p99 } = await step(search.client, rate);
      // A shared 2-core machine stalls now and then; a step must fail twice to count as failed.
      if (!passed) ({ passed, p50, p99 } = await step(search.client, rate));
      if (passed) {
        search.pass = rate;
        search.atPass = { p50, p99 };
      } else {
        search.fail = rate;
      }
      if (search.fail === Number.POSITIVE_INFINITY) {
        search.next = rate * 2;
        if (search.next > options.maxRate) search.done = true;
      } else {
        if (!passed || search.bisected > 0) search.bisected++;
        search.next = search.pass === 0 ? search.fail / 2 : (search.pass + search.fail) / 2;
        if (search.bisected > options.bisections || search.next < 50) search.done = true;
      }
    }
  }
  return new Map(
    searches.map((search) => [
      search.client.target.name,
      { sustained: search.pass, p50AtSustained: search.atPass.p50, p99AtSustained: search.atPass.p99, firstFailing: search.fail },
    ]),
  );
}
