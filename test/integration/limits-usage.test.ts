/**
 * `npm run usage` against a real DynamoDB API (dynalite): the counters the limiter wrote, per rule
 * and caller, with the room left; once through the function, once through the script as an
 * operator runs it (a child process, `AWS_ENDPOINT_URL_DYNAMODB`, a keys file with `limits`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLimiter } from '../../lib/limits/create-limiter.ts';
import { parseLimitsDocument } from '../../lib/limits/limits-document.ts';
import { formatLimitsUsage, readLimitsUsage } from '../../lib/limits/read-limits-usage.ts';
import { dynaliteTable } from './limits-table.ts';
import { type Dynalite, startDynalite, TEST_TABLE } from '../support/dynalite.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIMITS = {
  rules: [
    { name: 'team-a', principals: ['123456789012'], per: 'caller', requests_per_minute: 10, cost_usd_per_month: 5 },
    { name: 'openai-prod', virtual_keys: ['openai-prod'], tokens_per_day: 1000 },
  ],
};
const ALICE = { userArn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' };
const BOB = { userArn: 'arn:aws:iam::123456789012:user/bob', accountId: '123456789012' };

let dynaliteServer: Dynalite;
/** One instant for writing and reading, so a minute ending mid-test changes nothing. */
let reservedAt: number;
beforeAll(async () => {
  dynaliteServer = await startDynalite();
  reservedAt = Date.now();
  const limiter = createLimiter({ table: dynaliteTable(dynaliteServer.url), now: () => reservedAt });
  const document = parseLimitsDocument(LIMITS, 'test');
  await limiter.reserve(document, { caller: ALICE, virtualKey: 'openai-prod' }, { tokens: 300, costUsd: 1.25 });
  await limiter.reserve(document, { caller: ALICE }, { tokens: 10, costUsd: 0.25 });
  await limiter.reserve(document, { caller: BOB }, { tokens: 10, costUsd: null });
});
afterAll(() => dynaliteServer.close());

describe('the usage report', () => {
  test('lists each caller of a per-caller rule and the shared rule, with use and room', async () => {
    const table = dynaliteTable(dynaliteServer.url);
    const rows = await readLimitsUsage(table, parseLimitsDocument(LIMITS, 'test'), reservedAt);
    expect(rows.map(({ rule, scope, measure, used, remaining }) => ({ rule, scope, measure, used, remaining }))).toEqual([
      { rule: 'team-a', scope: ALICE.userArn, measure: 'requests_per_minute', used: 2, remaining: 8 },
      { rule: 'team-a', scope: ALICE.userArn, measure: 'cost_usd_per_month', used: 1.5, remaining: 3.5 },
      { rule: 'team-a', scope: BOB.userArn, measure: 'requests_per_minute', used: 1, remaining: 9 },
      { rule: 'team-a', scope: BOB.userArn, measure: 'cost_usd_per_month', used: 0, remaining: 5 },
      { rule: 'openai-prod', scope: '*', measure: 'tokens_per_day', used: 300, remaining: 700 },
    ]);
    expect(formatLimitsUsage(rows).split('\n')[0]).toMatch(/^rule\s+caller\s+measure\s+window\s+used\s+limit\s+remaining\s+resets at$/);
  });

  // The script reads at its own time: only day and month windows are asserted (a minute may have ended).
  test('npm run usage prints it from the table named in the environment', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'limits-usage-'));
    const keysFile = join(directory, 'gateway.keys.json');
    writeFileSync(keysFile, JSON.stringify({ virtual_keys: {}, limits: LIMITS }));
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/usage.ts'), '--limits-file', keysFile], {
      cwd: directory,
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        GATEWAY_TABLE: TEST_TABLE,
        AWS_ENDPOINT_URL_DYNAMODB: dynaliteServer.url,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.find((line) => line.includes('alice') && line.includes('cost_usd_per_month'))).toMatch(/\s1\.5\s+5\s+3\.5\s/);
    expect(lines.find((line) => line.startsWith('openai-prod'))).toMatch(/\(shared\)\s+tokens_per_day\s+\d{4}-\d{2}-\d{2}\s+300\s+1000\s+700\s/);
  });
});
