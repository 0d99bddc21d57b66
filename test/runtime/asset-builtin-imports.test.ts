/**
 * Cold-start guards on the deployed asset. No script of it imports node:http or node:https as an
 * ES module. On Node 22+ such an import builds a facade that reads every export, and node:http's
 * lazy `WebSocket` / `MessageEvent` getters then load undici: measured under aws-lambda-ric on
 * Node 24, 20-30 ms of the function's init (bench/cold-start.ts). The bundle reaches them through
 * `process.getBuiltinModule` instead (infra/builtin-shims/). Needs no real runtime.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { synthesizeDeployedAsset, type DeployedAsset } from './support/deployed-asset.ts';

let asset: DeployedAsset;

/** The entry and every chunk, as paths inside the asset. */
function scripts(): string[] {
  return ['index.mjs', ...readdirSync(join(asset.directory, 'chunks')).filter((name) => name.endsWith('.mjs')).map((name) => `chunks/${name}`)];
}

beforeAll(() => {
  // Only the files are read here; the table's name is never used.
  asset = synthesizeDeployedAsset({ GATEWAY_TABLE: 'not-used-here' });
}, 120_000);

it('reaches node:http and node:https without an ES module import, in the entry and every chunk', () => {
  const esmImports = /\bfrom\s*["'](?:node:)?https?["']|\bimport\s*\(\s*["'](?:node:)?https?["']\s*\)/;
  const offenders = scripts().filter((script) => esmImports.test(readFileSync(join(asset.directory, script), 'utf8')));
  expect(offenders).toEqual([]);
  // Still reached: through the builtin loader.
  const all = scripts().map((script) => readFileSync(join(asset.directory, script), 'utf8')).join('\n');
  expect(all).toContain('getBuiltinModule("node:http")');
  expect(all).toContain('getBuiltinModule("node:https")');
});

it('reads no clock through the global `performance`, whose first read loads node:perf_hooks on a first request', () => {
  const reads = /\bperformance\s*\.\s*(?:now|timeOrigin|mark|measure|timerify|eventLoopUtilization)\b/;
  expect(scripts().filter((script) => reads.test(readFileSync(join(asset.directory, script), 'utf8')))).toEqual([]);
});
