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

/**
 * CPU µs of each invocation, `events` taken in turn (`count` times each, the order reversed every
 * other turn): per event, its invocations' figures. The process runs one invocation at a time and
 * sleeps in between, so the reading taken once it polls `/next` again holds that invocation's
 * work alone, its work after the last byte (the usage record, settling) included. Medians of these
 * shrug off what a block's total cannot: a neighbour on the shared host slowing a few invocations.
 */
export async function cpuOfEachInvocation(runtime: RuntimeProcess, events: readonly unknown[], count: number): Promise<number[][]> {
  const figures = events.map(() => [] as number[]);
  const pid = runtime.child.pid!;
  await runtime.emulator.waitForNextPoll();
  for (let turn = 0; turn < count; turn++) {
    for (let step = 0; step < events.length; step++) {
      const index = turn % 2 === 0 ? step : events.length - 1 - step;
      const before = cpuMillisecondsOf(pid);
      const outcome = await runtime.emulator.invoke(events[index]).done;
      if (outcome.kind !== 'response') throw new Error(`invocation failed: ${JSON.stringify(outcome)}\n${runtime.output().slice(-2000)}`);
      await runtime.emulator.waitForNextPoll();
      figures[index]!.push((cpuMillisecondsOf(pid) - before) * 1000);
    }
  }
  return figures;
}

/** The event with one more header (how a bench function picks the variant an invocation goes to). */
export function withHeader<T extends { headers: Record<string, string> }>(event: T, name: string, value: string): T {
  return { ...event, headers: { ...event.headers, [name]: value } };
}
