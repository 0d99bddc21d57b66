/**
 * The deployed asset of another commit, built by that commit's own `buildHandlerBundle`, so the
 * cold-start benchmark can run it interleaved with this tree's asset: an A/B in one run, which a
 * shared or busy machine needs (figures from separate runs drift with the load).
 *
 * Reads the repository only (`git archive`); the commit's files land in a temporary folder that
 * borrows this tree's node_modules.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BaselineAsset {
  /** The asset folder (`index.mjs` + `chunks/`). */
  directory: string;
  /** The commit, as `git describe --always` names it. */
  label: string;
  remove(): void;
}

/** @example const baseline = buildBaselineAsset(projectRoot, 'main'); // ...; baseline.remove(); */
export function buildBaselineAsset(projectRoot: string, ref: string): BaselineAsset {
  const label = execFileSync('git', ['-C', projectRoot, 'describe', '--always', ref], { encoding: 'utf8' }).trim();
  const tree = mkdtempSync(join(tmpdir(), 'gateway-baseline-'));
  try {
    const archive = execFileSync('git', ['-C', projectRoot, 'archive', '--format=tar', ref], { maxBuffer: 512 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', tree], { input: archive });
    symlinkSync(join(projectRoot, 'node_modules'), join(tree, 'node_modules'));
    const directory = join(tree, 'asset');
    mkdirSync(directory);
    // That commit's build, run by its own sources: a build change is part of what is compared.
    const script = join(tree, 'build-baseline-asset.mts');
    writeFileSync(
      script,
      `import { buildHandlerBundle } from './infra/build-handler-bundle.ts';\nbuildHandlerBundle({ projectRoot: ${JSON.stringify(tree)}, outdir: ${JSON.stringify(directory)}, entryName: 'index' });\n`,
    );
    execFileSync(join(projectRoot, 'node_modules', '.bin', 'tsx'), [script], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
    return { directory, label, remove: () => rmSync(tree, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(tree, { recursive: true, force: true });
    throw error;
  }
}
