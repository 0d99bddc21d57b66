/**
 * Starts each gateway under test as its own `node` process on a loopback port, waits until it
 * answers a real completion, and reads its memory and CPU from /proc while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createClient, send, type Target } from './load-client.ts';

export interface GatewayProcess {
  name: string;
  port: number;
  process: ChildProcess;
  /** The last few KB of its output, for when it fails. */
  output(): string;
  stop(): Promise<void>;
}

/** A free loopback port (the kernel's pick, released just before the child takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startProcess(name: string, args: string[], env: Record<string, string>, port: number): Promise<GatewayProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return {
    name,
    port,
    process: child,
    output: () => tail,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Sends `body` until the target answers 200, or throws with the process's output after `timeoutMs`. */
export async function waitUntilServing(gateway: GatewayProcess, target: Target, body: string, timeoutMs = 30_000): Promise<void> {
  const client = createClient(target);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  try {
    while (Date.now() < deadline) {
      if (gateway.process.exitCode !== null) throw new Error(`${gateway.name} exited with ${gateway.process.exitCode}:\n${gateway.output()}`);
      try {
        const answer = await send(client, body);
        if (answer.status === 200) return;
        last = `status ${answer.status}: ${answer.body.slice(0, 300)}`;
      } catch (error) {
        last = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${gateway.name} did not serve within ${timeoutMs} ms (${last}):\n${gateway.output()}`);
  } finally {
    client.agent.destroy();
  }
}

/** Peak and current resident memory of a process, in MB (VmHWM / VmRSS of /proc/<pid>/status). */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { peakMb: field('VmHWM'), rssMb: field('VmRSS') };
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds: the sum of its threads'
 * run time from /proc/<pid>/task/<tid>/schedstat, in nanoseconds (/proc/<pid>/stat counts 10 ms
 * ticks: ±1 tick is ±2% of a 500 ms block at one core).
 */
export function cpuMillisecondsOf(pid: number): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read: its time is gone with it.
    }
  }
  return nanoseconds / 1e6;
}

export interface GatewayCommands {
  localServer: string;
  floorProxy: string;
  loopbackPreload: string;
  projectRoot: string;
}

/** Ours (the bundled `npm start` entry), the floor proxy and the Portkey gateway, each on its own port. */
export async function startGateways(commands: GatewayCommands): Promise<Record<'ours' | 'floor' | 'portkey', GatewayProcess>> {
  const [oursPort, floorPort, portkeyPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const portkeyServer = join(commands.projectRoot, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  const [ours, floor, portkey] = await Promise.all([
    startProcess('ours', [commands.localServer], { HOST: '127.0.0.1', PORT: String(oursPort), GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback' }, oursPort),
    startProcess('floor', [commands.floorProxy], { PORT: String(floorPort) }, floorPort),
    startProcess('portkey', ['--import', `file://${commands.loopbackPreload}`, portkeyServer, `--port=${portkeyPort}`, '--headless'], { NODE_ENV: 'production' }, portkeyPort),
  ]);
  return { ours, floor, portkey };
}
