/**
 * The REST API's resource policy: who may call the gateway at all, on top of IAM auth (issue 2).
 *
 * IAM auth alone lets any principal of the API's own account with an `execute-api:Invoke` policy in,
 * and lets no other account in. The policy allows the listed accounts and/or the members of one
 * AWS Organization, and denies every other principal — explicitly, so that a broad identity policy
 * in the API's own account cannot reach around the list either.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
 */
import { Token } from 'aws-cdk-lib';
import { AccountPrincipal, AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';

/** Every stage, method and path of this API; API Gateway expands it to the API's own ARN. */
const EVERY_METHOD = 'execute-api:/*';

export interface AllowedCallers {
  /** Account ids whose principals may call (with their own IAM permission to invoke). */
  accountIds: readonly string[];
  /** An AWS Organization id (`o-…`) whose member accounts' principals may call. */
  organizationId?: string | undefined;
}

export function validateAllowedCallers(callers: AllowedCallers): void {
  for (const accountId of callers.accountIds) {
    if (!Token.isUnresolved(accountId) && !/^\d{12}$/.test(accountId)) {
      throw new Error(`allowedAccountIds entry "${accountId}" is not a 12-digit AWS account id.`);
    }
  }
  if (callers.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(callers.organizationId)) {
    throw new Error(`allowedOrganizationId "${callers.organizationId}" is not an AWS Organization id (o-…).`);
  }
  if (callers.accountIds.length === 0 && callers.organizationId === undefined) {
    throw new Error('The gateway needs at least one allowed account id or an organization id; an empty list would lock everyone out.');
  }
}

/** The resource policy document that admits exactly the given callers. */
export function callerResourcePolicy(callers: AllowedCallers): PolicyDocument {
  validateAllowedCallers(callers);
  const statements: PolicyStatement[] = [];
  if (callers.accountIds.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'AllowListedAccounts',
        effect: Effect.ALLOW,
        principals: callers.accountIds.map((accountId) => new AccountPrincipal(accountId)),
        actions: ['execute-api:Invoke'],
        resources: [EVERY_METHOD],
      }),
    );
  }
  if (callers.organizationId !== undefined) {
    statements.push(
      new PolicyStatement({
        sid: 'AllowOrganization',
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [EVERY_METHOD],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': callers.organizationId } },
      }),
    );
  }

  // Keys under one operator are ANDed: denied when neither the account nor the organization matches.
  // A negated operator is true when the key is absent, so a principal outside any organization
  // counts as "not in ours".
  // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  const notListed: Record<string, unknown> = {};
  if (callers.accountIds.length > 0) notListed['aws:PrincipalAccount'] = [...callers.accountIds];
  if (callers.organizationId !== undefined) notListed['aws:PrincipalOrgID'] = callers.organizationId;
  statements.push(
    new PolicyStatement({
      sid: 'DenyEveryoneElse',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: [EVERY_METHOD],
      conditions: { StringNotEquals: notListed },
    }),
  );
  return new PolicyDocument({ statements });
}
