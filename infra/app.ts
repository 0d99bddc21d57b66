/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). The environment is explicit so that synth needs
 * no credentials and makes no lookups: the account and region come from the CLI's profile when
 * there is one (CDK_DEFAULT_*), else from fixed placeholders that are fine for a template.
 */
import { App } from 'aws-cdk-lib';
import { GatewayStack } from './gateway-stack.ts';

const PLACEHOLDER_ACCOUNT = '123456789012';
const PLACEHOLDER_REGION = 'us-east-1';

const app = new App();

/** Stack props a deployer may set without editing code: `npx cdk deploy -c allowedOrganizationId=o-…`. */
function listContext(name: string): string[] | undefined {
  const value: unknown = app.node.tryGetContext(name);
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function stringContext(name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

const ttl = stringContext('secretsTtlSeconds');

new GatewayStack(app, stringContext('stackName') ?? 'LlmGateway', {
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? PLACEHOLDER_REGION,
  },
  allowedAccountIds: listContext('allowedAccountIds'),
  allowedOrganizationId: stringContext('allowedOrganizationId'),
  secretsPrefix: stringContext('secretsPrefix'),
  secretsTtlSeconds: ttl === undefined ? undefined : Number(ttl),
  kmsKeyArn: stringContext('kmsKeyArn'),
  allowedCustomHosts: listContext('allowedCustomHosts'),
  bedrockModels: listContext('bedrockModels'),
  enableSourceMaps: stringContext('enableSourceMaps') === 'true',
});
