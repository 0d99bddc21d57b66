/**
 * Synthesizes the gateway stack for assertions, with the same feature flags `cdk.json` gives the CLI
 * (so the templates tested are the templates deployed).
 *
 * Bundling the function with esbuild takes seconds, so each test file synthesizes once; variants of
 * the props skip bundling (`aws:cdk:bundling-stacks: []`, what `cdk synth --exclusively` does) since
 * they assert policies and settings, not the code. CloudFormation schema validation (tens of seconds
 * on this machine) is left to the `cdk synth` test, which runs it as a deployer would.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GatewayStack, type GatewayStackProps } from '../../infra/gateway-stack.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

export interface SynthesizedGateway {
  app: App;
  stack: GatewayStack;
  template: Template;
}

export function synthesizeGateway(props: GatewayStackProps = {}, options: { bundle?: boolean } = {}): SynthesizedGateway {
  const app = new App({
    context: { ...cdkJson.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    builtinCloudFormationValidation: false,
  });
  const stack = new GatewayStack(app, 'TestGateway', { env: TEST_ENV, ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The one IAM policy CDK attaches to the function's role, as plain JSON. */
export function functionPolicyStatements(template: Template): Array<Record<string, unknown>> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  if (policies.length !== 1) throw new Error(`expected one AWS::IAM::Policy, found ${policies.length}`);
  return policies[0]!.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
}

/** Every Resource of every statement, flattened, for "nothing wider than…" assertions. */
export function statementResources(statements: Array<Record<string, unknown>>): unknown[] {
  return statements.flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]));
}
