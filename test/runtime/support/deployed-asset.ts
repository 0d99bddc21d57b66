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

export function synthesizeDeployedAsset(): DeployedAsset {
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
  return { directory: join(assembly.directory, bundled), environment: properties.Environment?.Variables ?? {}, handler: properties.Handler };
}
