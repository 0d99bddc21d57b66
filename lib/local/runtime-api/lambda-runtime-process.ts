/**
 * Starts a function the way Lambda does: a fresh Node process running AWS's runtime interface
 * client (`aws-lambda-ric`), pointed at a Runtime API emulator, with the handler loaded from an
 * asset folder (`LAMBDA_TASK_ROOT`, `_HANDLER=index.handler`) and Lambda's reserved environment.
 * The runtime is the one `tools/lambda-runtime/install.sh` installs (Node 24 + the RIC).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRuntimeApiEmulator, type RuntimeApiEmulator } from './runtime-api-emulator.ts';

/** Where install.sh puts the runtime unless `LAMBDA_RUNTIME_DIR` says otherwise. */
export function lambdaRuntimeDirectory(projectRoot: string): string {
  return process.env.LAMBDA_RUNTIME_DIR ?? join(projectRoot, '.cache', 'lambda-runtime');
}

export interface LambdaRuntimeInstall {
  /** The Node 24 binary. */
  node: string;
  /** The RIC's entry (`aws-lambda-ric/index.mjs`). */
  ric: string;
}

/** The installed runtime, or undefined when install.sh has not run (or its native build is missing). */
export function findLambdaRuntime(projectRoot: string): LambdaRuntimeInstall | undefined {
  const directory = lambdaRuntimeDirectory(projectRoot);
  const install = { node: join(directory, 'node'), ric: join(directory, 'node_modules', 'aws-lambda-ric', 'index.mjs') };
  const native = join(directory, 'node_modules', 'aws-lambda-ric', 'rapid-client.node');
  return existsSync(install.node) && existsSync(install.ric) && existsSync(native) ? install : undefined;
}

export interface LambdaRuntimeProcessOptions {
  install: LambdaRuntimeInstall;
  /** The asset folder, as `cdk deploy` uploads it. */
  taskRoot: string;
  /** Default `index.handler`. */
  handler?: string;
  /** The function's own environment (what the stack sets), added to Lambda's reserved variables. */
  environment?: Record<string, string>;
  /** An emulator to reuse; by default each process gets its own. */
  emulator?: RuntimeApiEmulator;
  memoryMb?: number;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeArguments?: string[];
}

export interface LambdaRuntimeProcess {
  emulator: RuntimeApiEmulator;
  child: ChildProcess;
  /** performance.now() just before the spawn. */
  startedAt: number;
  /** Resolves at the runtime's first `/next`: the end of init (its time, performance.now()). */
  ready: Promise<number>;
  /** Settles when the process exits: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stdout and stderr (the function's logs). */
  output(): string;
  /** SIGSTOP / SIGCONT: Lambda freezes a function between invocations. */
  freeze(): void;
  thaw(): void;
  /** Kills the process (if alive) and closes its emulator (if it made it). */
  stop(): Promise<void>;
}

export async function startLambdaRuntimeProcess(options: LambdaRuntimeProcessOptions): Promise<LambdaRuntimeProcess> {
  const ownEmulator = options.emulator === undefined;
  const emulator = options.emulator ?? (await startRuntimeApiEmulator());
  const memoryMb = options.memoryMb ?? 512;
  const functionName = emulator.functionArn.split(':').at(-1)!;
  const ready = emulator.waitForNextPoll();
  const taskRoot = resolve(options.taskRoot);
  const startedAt = performance.now();
  const child = spawn(options.install.node, [...(options.nodeArguments ?? []), options.install.ric], {
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_RUNTIME_API: emulator.address,
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: taskRoot,
      _HANDLER: options.handler ?? 'index.handler',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]00000000000000000000000000000000',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      // Lambda sizes the old generation from the memory setting.
      NODE_OPTIONS: `--max-old-space-size=${Math.floor(memoryMb * 0.9)}`,
      ...options.environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      emulator.abortPending(`the runtime process exited (${signal ?? code})`);
      resolve({ code, signal });
    });
  });
  return {
    emulator,
    child,
    startedAt,
    ready: Promise.race([
      ready,
      exited.then(({ code, signal }) => {
        throw new Error(`the runtime exited during init (${signal ?? code}):\n${output}`);
      }),
    ]),
    exited,
    output: () => output,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
      if (ownEmulator) await emulator.close();
    },
  };
}
