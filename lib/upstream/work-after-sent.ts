/**
 * Work that waits for a request to be on the wire, then runs while its answer is awaited. On a
 * cold start the first requests find modules uncompiled and schemas unbuilt; heavy work of that
 * kind, started any earlier, holds the request back (measured: the price table's ~30 ms compile
 * ran before the first provider request was sent), and started after the answer, it holds up
 * whatever the answer was for.
 */
import type http from 'node:http';
import { describeError, log } from '../log.ts';

export interface WorkAfterSent {
  /** Queues `work` for the next request ended with `end`. */
  add(work: () => void): void;
  /**
   * Ends `request` with `body`; the queued work runs once it has been written to its socket (the
   * connection, and TLS, are up). A request that fails before that leaves the work for the next one.
   */
  end(request: http.ClientRequest, body: string): void;
}

/** @param what names the requests in the log line of a work that throws, e.g. `an upstream request`. */
export function createWorkAfterSent(what: string): WorkAfterSent {
  let queued: Array<() => void> = [];

  /** Runs inside the request's `finish` callback, where a throw would be uncaught: each work's failure is logged. */
  function run(): void {
    const works = queued;
    queued = [];
    for (const work of works) {
      try {
        work();
      } catch (error) {
        log.error(`work queued after ${what} failed`, describeError(error));
      }
    }
  }

  return {
    add: (work) => void queued.push(work),
    end(request, body) {
      if (queued.length === 0) request.end(body);
      else request.end(body, run);
    },
  };
}
