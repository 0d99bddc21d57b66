/**
 * The real Lambda runtime (Node 24 + aws-lambda-ric) as `tools/lambda-runtime/install.sh` installs
 * it, for the suites that run the deployed asset under it. Absent, those suites skip with a message
 * that says how to install it; with `GATEWAY_REQUIRE_LAMBDA_RUNTIME=1` (which `.ci/run` sets after
 * installing it) an absent runtime fails the run instead, so CI never skips silently.
 */
import { fileURLToPath } from 'node:url';
import { findLambdaRuntime, lambdaRuntimeDirectory, type LambdaRuntimeInstall } from '../../../lib/local/runtime-api/lambda-runtime-process.ts';

export const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));

export const lambdaRuntime: LambdaRuntimeInstall | undefined = findLambdaRuntime(projectRoot);

const required = process.env.GATEWAY_REQUIRE_LAMBDA_RUNTIME === '1';

if (!lambdaRuntime) {
  const where = lambdaRuntimeDirectory(projectRoot);
  const message = `the real Lambda runtime is not installed in ${where}: run \`bash tools/lambda-runtime/install.sh\` (about 2 minutes)`;
  if (required) throw new Error(`GATEWAY_REQUIRE_LAMBDA_RUNTIME=1 but ${message}`);
  process.stderr.write(`[runtime suite] skipped: ${message}\n`);
}
