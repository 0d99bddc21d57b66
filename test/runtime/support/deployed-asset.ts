/**
 * The function's asset exactly as `cdk deploy` uploads it (the CDK output folder: `index.mjs` +
 * `chunks/`), and the environment the stack gives the function, both read from a real synth.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeGateway } from '../../infra/synthesize-gateway.ts';

export interface DeployedAsset {
  directory: string;
  /** `Environment.Variables` of the function in the synthesized template. */
  environment: Record<string, string>;
  /** The function's `Handler`, e.g. `index.handler`. */
  handler: string;
}

/**
 * @param references values for what the stack fills in at deploy time (the table's name...): the
 *   test's loopback stand-ins. One left without a value is an error, never silently dropped.
 */
export function synthesizeDeployedAsset(references: Record<string, string> = {}): DeployedAsset {
  const synthesized = synthesizeGateway({}, { bundle: true });
  const assembly = synthesized.app.synth();
  const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
  const bundled = assets.find((name) => existsSync(join(assembly.directory, name, 'index.mjs')));
  if (!bundled) throw new Error(`no bundled asset in ${assembly.directory}: ${assets.join(', ')}`);
  const functions = Object.values(synthesized.template.findResources('AWS::Lambda::Function')).filter(
    (resource) => resource.Properties?.Runtime === 'nodejs24.x',
  );
  if (functions.length !== 1) throw new Error(`expected one nodejs24.x function, found ${functions.length}`);
  const properties = functions[0]!.Properties as { Handler: string; Environment?: { Variables?: Record<string, string> } };
  const environment = { ...(properties.Environment?.Variables ?? {}) };
  // A CloudFormation reference (a table name, an ARN) has no value before deploy: a test must supply it.
  for (const [name, value] of Object.entries(environment)) {
    if (typeof value !== 'string' && references[name] !== undefined) environment[name] = references[name];
  }
  const unresolved = Object.entries(environment).filter(([, value]) => typeof value !== 'string').map(([name]) => name);
  if (unresolved.length > 0) throw new Error(`the function's environment holds deploy-time references: ${unresolved.join(', ')}; give them loopback values`);
  return { directory: join(assembly.directory, bundled), environment, handler: properties.Handler };
}
