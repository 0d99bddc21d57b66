/**
 * Module-load time of a bundled handler: the time `import()` of the bundle takes inside a fresh
 * `node` process (the cold-start share that is ours, not the runtime's), median over many
 * processes. The `awslambda` global is installed first by a preload, as the Lambda runtime would.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median } from './stats.ts';

const PROBE = `
const started = performance.now();
await import(process.env.BENCH_MODULE_URL);
process.stdout.write(String(performance.now() - started));
`;

function loadOnce(moduleFile: string, preloadFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(preloadFile).href, '--input-type=module', '--eval', PROBE],
      { env: { ...process.env, BENCH_MODULE_URL: pathToFileURL(moduleFile).href, LOG_LEVEL: 'silent' } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`loading ${moduleFile} failed: ${stderr || error.message}`));
        resolve(Number(stdout));
      },
    );
  });
}

export interface ModuleLoadResult {
  medianMs: number;
  samples: number[];
}

/** Loads each module `runs` times, alternating between them so drift affects all alike. */
export async function measureModuleLoad(moduleFiles: string[], preloadFile: string, runs: number): Promise<ModuleLoadResult[]> {
  const samples: number[][] = moduleFiles.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [index, file] of moduleFiles.entries()) samples[index]!.push(await loadOnce(file, preloadFile));
  }
  return samples.map((values) => ({ medianMs: median(values), samples: values }));
}
