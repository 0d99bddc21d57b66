/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). The environment is explicit so that synth needs
 * no credentials and makes no lookups: the account and region come from the CLI's profile when
 * there is one (CDK_DEFAULT_*), else from fixed placeholders that are fine for a template.
 *
 * cdk-nag's AwsSolutions pack checks the app on every synth: a finding that is neither fixed nor
 * acknowledged (acknowledge-findings.ts) stops the synth, and so the deploy.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
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

function numberContext(name: string): number | undefined {
  const value = stringContext(name);
  return value === undefined ? undefined : Number(value);
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

new GatewayStack(app, stringContext('stackName') ?? 'LlmGateway', {
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? PLACEHOLDER_REGION,
  },
  allowedAccountIds: listContext('allowedAccountIds'),
  allowedOrganizationId: stringContext('allowedOrganizationId'),
  secretsPrefix: stringContext('secretsPrefix'),
  secretsTtlSeconds: numberContext('secretsTtlSeconds'),
  kmsKeyArn: stringContext('kmsKeyArn'),
  allowedCustomHosts: listContext('allowedCustomHosts'),
  bedrockModels: listContext('bedrockModels'),
  bedrockRegions: listContext('bedrockRegions'),
  reservedConcurrency: numberContext('reservedConcurrency'),
  throttlingRateLimit: numberContext('throttlingRateLimit'),
  throttlingBurstLimit: numberContext('throttlingBurstLimit'),
  enableSourceMaps: stringContext('enableSourceMaps') === 'true',
});
