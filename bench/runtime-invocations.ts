/**
 * What the benchmarks that drive the real Lambda runtime share: a function folder bundled from one
 * entry, and the CPU a runtime process spends per invocation.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { startLambdaRuntimeProcess } from '../lib/local/runtime-api/lambda-runtime-process.ts';
import { buildDirectory, bundle } from './build.ts';
import { cpuMillisecondsOf } from './gateways.ts';

export type RuntimeProcess = Awaited<ReturnType<typeof startLambdaRuntimeProcess>>;

/** `bench/.build/<name>/index.mjs`, bundled from `entry` alone (one file, no chunks); returns the folder. */
export async function bundleFunction(entry: string, name: string): Promise<string> {
  const folder = join(buildDirectory, name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  await bundle(entry, join(folder, 'index.mjs'));
  return folder;
}

/** CPU µs of the process's threads per invocation, over `count` invocations of `event` one after another. */
export async function cpuPerInvocation(runtime: RuntimeProcess, event: unknown, count: number): Promise<number> {
  const before = cpuMillisecondsOf(runtime.child.pid!);
  for (let index = 0; index < count; index++) {
    const outcome = await runtime.emulator.invoke(event).done;
    if (outcome.kind !== 'response') throw new Error(`invocation failed: ${JSON.stringify(outcome)}\n${runtime.output().slice(-2000)}`);
  }
  // The last answer's work after its last byte (the usage record, settling) ends when the runtime polls again.
  await runtime.emulator.waitForNextPoll();
  return ((cpuMillisecondsOf(runtime.child.pid!) - before) * 1000) / count;
}

/** The event with one more header (how a bench function picks the variant an invocation goes to). */
export function withHeader<T extends { headers: Record<string, string> }>(event: T, name: string, value: string): T {
  return { ...event, headers: { ...event.headers, [name]: value } };
}
