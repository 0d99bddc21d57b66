/**
 * The stack prop `sagemakerEndpoints` (issue #16): nothing by default; the listed endpoints with
 * the two invoke actions only; a prefix is acknowledged to cdk-nag and nothing else is left open.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { functionPolicyStatements, synthesizeGateway, TEST_ENV } from './synthesize-gateway.ts';

const sagemakerStatements = (statements: Array<Record<string, unknown>>) => statements.filter((statement) => JSON.stringify(statement.Action).includes('sagemaker:'));

describe('sagemakerEndpoints', () => {
  it('grants nothing on SageMaker by default', () => {
    const { template } = synthesizeGateway();
    expect(sagemakerStatements(functionPolicyStatements(template))).toEqual([]);
  });

  it('grants the two invoke actions on exactly the listed endpoints, cdk-nag clean with a prefix', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:210987654321:endpoint/shared-llama';
    const { stack, template } = synthesizeGateway({ sagemakerEndpoints: ['Llama-3-TGI', 'team-a-*', arn] });
    const [statement, ...others] = sagemakerStatements(functionPolicyStatements(template));
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ Sid: 'InvokeSageMakerEndpoints', Effect: 'Allow', Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'] });
    expect(statement!.Resource).toEqual([
      `arn:aws:sagemaker:${TEST_ENV.region}:${TEST_ENV.account}:endpoint/llama-3-tgi`,
      `arn:aws:sagemaker:${TEST_ENV.region}:${TEST_ENV.account}:endpoint/team-a-*`,
      arn,
    ]);
    const open = new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => violation.ruleName);
    expect(open).toEqual([]);
  });

  it('refuses entries that are not endpoint names or ARNs', () => {
    for (const entry of ['*', 'a/b', 'arn:aws:sagemaker:us-east-1:210987654321:model/x', 'x*y']) {
      expect(() => synthesizeGateway({ sagemakerEndpoints: [entry] }), entry).toThrow(/sagemakerEndpoints entry/);
    }
  });
});
