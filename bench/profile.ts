/**
 * `npx tsx bench/profile.ts [seconds]`: CPU profile of our gateway under load, to find its hot
 * spots. Runs the local server entry (bundled, names kept) with `node --cpu-prof`, drives it with
 * non-streaming requests at concurrency 16 (and a few streams), stops it cleanly so the profile is
 * written, and prints the functions with the most self time. The .cpuprofile file stays in
 * `bench/.build/profiles/` for Chrome DevTools or speedscope.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDirectory, bundle, projectRoot } from './build.ts';
import { startBenchUpstream } from './fake-upstream.ts';
import { freePort, startProcess, waitUntilServing } from './gateways.ts';
import { closedLoop, createClient, streamOnce } from './load-client.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const seconds = Number(process.argv[2] ?? 5);
const profileDirectory = join(buildDirectory, 'profiles');
const serverFile = join(buildDirectory, 'local-server.readable.mjs');

await bundle('functions/completions/local.ts', serverFile, true);
await rm(profileDirectory, { recursive: true, force: true });
const upstream = await startBenchUpstream({ streamChunks: 20, chunkIntervalMs: 5 });
const port = await freePort();
const gateway = await startProcess('ours', ['--cpu-prof', '--cpu-prof-dir', profileDirectory, serverFile], { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' }, port);
const target = {
  name: 'ours',
  url: `http://127.0.0.1:${port}/v1/completions`,
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
};
const body = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0 });
await waitUntilServing(gateway, target, body);
const client = createClient(target);
const result = await closedLoop(client, body, 16, seconds * 1000);
const streamBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', stream: true });
for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 8 }, () => streamOnce(client, streamBody, 20)));
client.agent.destroy();
await gateway.stop();
await upstream.close();
console.log(`${result.latencies.length} requests (${result.rate.toFixed(0)}/s), ${result.errors} errors`);

const [file] = (await readdir(profileDirectory)).filter((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written; server output:\n${gateway.output()}`);
const profile = JSON.parse(await readFile(join(profileDirectory, file), 'utf8')) as CpuProfile;
const selfTime = new Map<number, number>();
for (const [index, sample] of profile.samples.entries()) selfTime.set(sample, (selfTime.get(sample) ?? 0) + (profile.timeDeltas[index] ?? 0));
const byFunction = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const time = selfTime.get(node.id) ?? 0;
  total += time;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(`file://${projectRoot}`, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
}
const nodesById = new Map(profile.nodes.map((node) => [node.id, node]));
const inclusive = new Map<number, number>();
function inclusiveOf(id: number): number {
  const node = nodesById.get(id)!;
  const time = (selfTime.get(id) ?? 0) + (node.children ?? []).reduce((sum, child) => sum + inclusiveOf(child), 0);
  inclusive.set(id, time);
  return time;
}
inclusiveOf(profile.nodes[0]!.id);
const ownInclusive = new Map<string, number>();
for (const node of profile.nodes) {
  if (!node.callFrame.url.includes(serverFile)) continue;
  const key = `${node.callFrame.functionName || '(anonymous)'} :${node.callFrame.lineNumber + 1}`;
  ownInclusive.set(key, (ownInclusive.get(key) ?? 0) + (inclusive.get(node.id) ?? 0));
}
console.log('inclusive time of bundled functions (recursion counted twice), top 25:');
for (const [name, time] of [...ownInclusive].sort((left, right) => right[1] - left[1]).slice(0, 25)) {
  console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${(time / 1000).toFixed(1).padStart(7)} ms  ${name}`);
}
console.log(`self time, top 30 of ${(total / 1000).toFixed(0)} ms sampled (${join('bench/.build/profiles', file)}):`);
for (const [name, time] of [...byFunction].sort((left, right) => right[1] - left[1]).slice(0, 30)) {
  console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${(time / 1000).toFixed(1).padStart(7)} ms  ${name}`);
}
