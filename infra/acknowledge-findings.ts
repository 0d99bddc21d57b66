/**
 * cdk-nag's `AwsSolutionsChecks` runs on every synthesis (`app.ts`) and in `npm test`
 * (`test/infra/cdk-nag.test.ts`); a finding fails both unless it is fixed or acknowledged here,
 * in code, on the construct it is about, with the reason it is acceptable. Acknowledgments are
 * exact finding ids (cdk-nag 3 has no prefix match): a new wildcard resource is a new finding, and
 * it fails the build until someone writes down why it is fine.
 *
 * @see https://github.com/cdklabs/cdk-nag/blob/main/RULES.md#awssolutions
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct, type IConstruct } from 'constructs';

/** The rule pack the gateway is held to. */
export const NAG_PACK = 'AwsSolutions';

/** Acknowledges one finding of the pack (`'APIG2'`, or `'IAM4[Policy::…]'`) on `scope` and what is under it. */
export function acknowledgeFinding(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${NAG_PACK}-${rule}`, reason });
}

/**
 * `AwsSolutions-IAM5` reports every resource with a `*` in an allow statement as its own finding,
 * named by the resource as cdk-nag flattens it (`arn:aws:bedrock:*::foundation-model/mistral.*`, a
 * token as `<AWS::Region>`). Acknowledges exactly those of `resources`, where the grantee's policy
 * lives (its role, which is not under the function's construct), and nothing else.
 */
export function acknowledgeWildcardResources(grantee: IGrantable & IConstruct, resources: readonly string[], reason: string): void {
  const principal: unknown = grantee.grantPrincipal;
  const scope = Construct.isConstruct(principal) ? principal : grantee;
  const stack = Stack.of(scope);
  for (const resource of resources) {
    const flattened = flattenCfnReference(stack.resolve(resource));
    if (flattened.includes('*')) acknowledgeFinding(scope, `IAM5[Resource::${flattened}]`, reason);
  }
}
