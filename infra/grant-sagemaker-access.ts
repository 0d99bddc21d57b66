/**
 * What the function may invoke on SageMaker (issue #16): the listed real-time endpoints, with
 * `InvokeEndpoint` and `InvokeEndpointWithResponseStream` only. Nothing by default: an empty
 * list grants nothing, so the gateway's role can reach no endpoint an operator did not name.
 *
 * An entry of `sagemakerEndpoints` is an endpoint name (in the stack's region), a name prefix
 * ending in `*` (`team-a-*`: acknowledged to cdk-nag with the reason), or a full endpoint ARN
 * (another region or account). SageMaker's endpoint ARNs spell the name in lower case.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html
 */
import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledge-findings.ts';

export const SAGEMAKER_INVOKE_ACTIONS = ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'] as const;

/** AWS's endpoint-name pattern, optionally cut short by one trailing `*`. */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}(-*\*)?$/;
const ENDPOINT_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:endpoint\/[a-z0-9](-*[a-z0-9]){0,62}\*?$/;

/** The endpoint ARNs for the entries. @throws for an entry that is neither a name nor an endpoint ARN. */
export function sagemakerEndpointArns(stack: Stack, endpoints: readonly string[]): string[] {
  return [
    ...new Set(
      endpoints.map((entry) => {
        if (entry.startsWith('arn:')) {
          if (!ENDPOINT_ARN.test(entry)) throw new Error(`sagemakerEndpoints entry "${entry}" is not a SageMaker endpoint ARN (names in lower case).`);
          return entry;
        }
        if (!ENDPOINT_NAME.test(entry) || entry === '*') {
          throw new Error(`sagemakerEndpoints entry "${entry}" must be an endpoint name (letters, digits, hyphens; a trailing * for a prefix) or an endpoint ARN.`);
        }
        return `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:endpoint/${entry.toLowerCase()}`;
      }),
    ),
  ];
}

/** Adds the SageMaker invoke statement to the grantee's policy (none for an empty list). */
export function grantSageMakerAccess(grantee: IGrantable & IConstruct, endpoints: readonly string[]): void {
  if (endpoints.length === 0) return;
  const resources = sagemakerEndpointArns(Stack.of(grantee), endpoints);
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ sid: 'InvokeSageMakerEndpoints', actions: [...SAGEMAKER_INVOKE_ACTIONS], resources }));
  acknowledgeWildcardResources(
    grantee,
    resources,
    'The endpoint-name prefixes of the stack prop sagemakerEndpoints (a `*` only at the end of a name), with the two invoke actions only.',
  );
}
