/**
 * cdk-nag's AwsSolutions pack against the gateway (issue 11): no finding is left that is neither
 * fixed nor acknowledged in code; every acknowledgment hides a finding that exists, of a rule we
 * expect, with a reason; and the check fails on a construct that nobody acknowledged.
 *
 * The checks walk the construct tree (no CloudFormation validation, no bundling): the default
 * stack is synthesized once and shared; each variant of the props costs one more synthesis.
 */
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { GatewayStack } from '../../infra/gateway-stack.ts';
import { synthesizeGateway, TEST_ENV } from './synthesize-gateway.ts';

/** The findings left after acknowledgments, as `rule @ construct path`. */
function openFindings(scope: IConstruct): string[] {
  return findingsOf(new AwsSolutionsChecks(), scope);
}

/** Every finding, acknowledged or not: the same pack with its acknowledgment lookup switched off. */
function everyFinding(scope: IConstruct): string[] {
  const checks = new AwsSolutionsChecks();
  // cdk-nag 3 consults `isAcknowledged` (a private method) for each finding; without it, all are reported.
  Object.defineProperty(checks, 'isAcknowledged', { value: () => false });
  return findingsOf(checks, scope);
}

function findingsOf(checks: AwsSolutionsChecks, scope: IConstruct): string[] {
  const report = checks.validateScope(scope);
  return report.violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`)).sort();
}

/** The acknowledgments recorded in the tree (the metadata cdk-nag reads), as rule id -> reasons. */
function acknowledgments(scope: IConstruct): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^annotation::/i, '');
        found.set(rule, [...(found.get(rule) ?? []), reason]);
      }
    }
  }
  return found;
}

/** `AwsSolutions-IAM5[Resource::…]` -> `AwsSolutions-IAM5`. */
function ruleOf(finding: string): string {
  return finding.replace(/[[ ].*$/s, '');
}

let stack: GatewayStack;

beforeAll(() => {
  stack = synthesizeGateway().stack;
});

describe('AwsSolutions checks', () => {
  test('leave no finding on the default stack', () => {
    expect(openFindings(stack)).toEqual([]);
  });

  test('leave none on other props either', () => {
    const applicationProfile = `arn:aws:bedrock:us-west-2:${TEST_ENV.account}:application-inference-profile/a1b2c3d4e5f6`;
    const variants = [
      { allowedOrganizationId: 'o-a1b2c3d4e5', createApiGatewayCloudWatchRole: false },
      { secretsPrefix: 'team-a/llm/', kmsKeyArn: `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
      { bedrockModels: ['anthropic.claude-*', 'global.anthropic.claude-*', applicationProfile], bedrockRegions: ['eu-central-1', 'us-west-2'] },
      { bedrockModels: [], reservedConcurrency: 5, throttlingRateLimit: 1, throttlingBurstLimit: 2 },
    ];
    for (const props of variants) expect(openFindings(synthesizeGateway(props).stack), JSON.stringify(props)).toEqual([]);
  });

  test('acknowledge exactly the findings that exist, each with a reason', () => {
    const acknowledged = acknowledgments(stack);
    const findings = everyFinding(stack);
    // Without the acknowledgments the default stack has findings (so the check above is not vacuous)...
    expect(findings.length).toBeGreaterThan(20);
    // ...and every acknowledgment names one of them: none is stale, none is a guess.
    expect([...acknowledged.keys()].sort()).toEqual([...new Set(findings.map((finding) => finding.replace(/ @ .*$/, '')))].sort());
    for (const [rule, reasons] of acknowledged) {
      expect(reasons, rule).toHaveLength(1);
      expect(reasons[0]!.length, rule).toBeGreaterThan(60);
    }
  });

  test('acknowledge only the expected rules, and wildcards only on the gateway\u2019s secrets and Bedrock models', () => {
    const acknowledged = [...acknowledgments(stack).keys()];
    expect([...new Set(acknowledged.map(ruleOf))].sort()).toEqual([
      'AwsSolutions-APIG2', // request validation: the function validates, in the OpenAI error shape
      'AwsSolutions-APIG3', // WAF: IAM auth + resource policy + throttling
      'AwsSolutions-COG4', // Cognito: IAM auth instead
      'AwsSolutions-IAM4', // managed policy: only API Gateway's account-wide logging role
      'AwsSolutions-IAM5', // wildcards: the secrets prefix and the Bedrock model families
    ]);
    expect(acknowledged.filter((rule) => ruleOf(rule) === 'AwsSolutions-IAM4')).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    ]);
    const wildcards = acknowledged.filter((rule) => ruleOf(rule) === 'AwsSolutions-IAM5').map((rule) => /^AwsSolutions-IAM5\[Resource::(.*)\]$/.exec(rule)![1]!);
    const { account, region } = TEST_ENV;
    for (const resource of wildcards) {
      expect(resource).toMatch(
        new RegExp(
          `^(arn:aws:secretsmanager:${region}:${account}:secret:llm-gateway/\\*` +
            `|arn:aws:bedrock:(${region}|\\*)::foundation-model/[a-z0-9-]+\\.[^*]*\\*` +
            `|arn:aws:bedrock:${region}:${account}:inference-profile/(us|eu|apac|global)\\.[a-z0-9-]+\\.[^*]*\\*)$`,
        ),
      );
    }
    // The API findings are acknowledged on the one resource each is about, not on the whole stack.
    const onStack = stack.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(onStack).toEqual([]);
  });

  test('no longer find the managed AWSLambdaBasicExecutionRole, not even acknowledged', () => {
    expect(everyFinding(stack).filter((finding) => finding.includes('AWSLambdaBasicExecutionRole'))).toEqual([]);
  });

  test('fail on what nobody acknowledged, even beside acknowledged findings of the same rule', () => {
    const { stack: extended } = synthesizeGateway();
    // A wildcard on the gateway's own role, next to its acknowledged Bedrock and secrets wildcards.
    extended.function.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::some-bucket/*'] }));
    // A second function with CDK's default role (the managed AWSLambdaBasicExecutionRole).
    new LambdaFunction(extended, 'Unreviewed', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') });
    expect(openFindings(extended)).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ TestGateway/Unreviewed/ServiceRole/Resource',
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::some-bucket/*] @ TestGateway/CompletionsFunctionRole/DefaultPolicy/Resource',
    ]);
  });
});
