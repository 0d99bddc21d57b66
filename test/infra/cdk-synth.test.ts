/**
 * `npx cdk synth` works on a fresh clone, offline and without AWS credentials: the CLI reads
 * `cdk.json`, runs `infra/app.ts` through tsx, bundles with the local esbuild (no Docker; the entry
 * and its chunks) and validates the template against the CloudFormation schemas, as a deployer's
 * synth would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'gateway-synth-'));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The environment of a machine with no AWS configuration at all. */
function withoutAwsCredentials(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (/^(AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE|REGION|DEFAULT_REGION)|CDK_DEFAULT_(ACCOUNT|REGION))$/.test(name)) {
      delete environment[name];
    }
  }
  // Point the shared config files nowhere, so a developer's ~/.aws does not leak in.
  environment.AWS_CONFIG_FILE = join(outdir, 'no-aws-config');
  environment.AWS_SHARED_CREDENTIALS_FILE = join(outdir, 'no-aws-credentials');
  return environment;
}

test(
  'npx cdk synth writes the stack template and the bundled function',
  () => {
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: projectRoot,
      env: withoutAwsCredentials(),
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(result.error, String(result.error)).toBeUndefined();
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);

    const templatePath = join(outdir, 'LlmGateway.template.json');
    expect(existsSync(templatePath)).toBe(true);
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.map((fn) => [fn.Properties.Runtime, fn.Properties.Architectures])).toEqual([['nodejs24.x', ['arm64']]]);
    // With no credentials the app falls back to its placeholder environment.
    expect(JSON.stringify(template)).toContain('arn:aws:secretsmanager:us-east-1:123456789012:secret:llm-gateway/*');

    const bundled = readdirSync(outdir).filter((name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'index.mjs')));
    expect(bundled).toHaveLength(1);
    // The code-split layout: the entry's `import()` targets ship beside it.
    const chunks = readdirSync(join(outdir, bundled[0]!, 'chunks')).filter((name) => name.endsWith('.mjs'));
    expect(chunks.length).toBeGreaterThan(0);
  },
  300_000,
);
