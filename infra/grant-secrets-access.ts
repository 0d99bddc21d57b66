/**
 * What the function may read from Secrets Manager (issue 4): `GetSecretValue` on the secrets under
 * one name prefix, in the stack's own account and region, and nothing else. A customer-managed KMS
 * key, when the secrets use one, is usable only through Secrets Manager.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledge-findings.ts';

/**
 * Secret names allow these characters; `*` and `?` are IAM wildcards and would widen the grant. The
 * prefix must end in `/`: the grant is `secret:{prefix}*`, so `llm` would also cover `llm-billing`
 * and `llmops/…`, while `llm/` covers only what is under the gateway's own folder.
 */
const SECRET_NAME_PREFIX = /^[A-Za-z0-9_+=.@-][A-Za-z0-9/_+=.@-]*\/$/;

/** `arn:aws:kms:us-east-1:123456789012:key/…`; an alias ARN cannot be granted `kms:Decrypt` on. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export interface SecretsAccessOptions {
  /** Every virtual key and stored config lives under this name prefix, e.g. `llm-gateway/`. */
  secretsPrefix: string;
  /** The customer-managed key the secrets are encrypted with, if not the AWS-managed one. */
  kmsKeyArn?: string | undefined;
}

/** Throws for a prefix that would let the function read secrets outside the gateway's own. */
export function validateSecretsPrefix(prefix: string): void {
  if (!SECRET_NAME_PREFIX.test(prefix)) {
    throw new Error(
      `secretsPrefix "${prefix}" must be a secret name prefix ending in "/" (letters, digits and /_+=.@-, no wildcards), ` +
        'e.g. "llm-gateway/": an empty or wildcard prefix would grant read access to every secret in the account, ' +
        'and one without the trailing "/" to every secret whose name merely starts the same.',
    );
  }
}

/** The one resource the function may read: `arn:{partition}:secretsmanager:{region}:{account}:secret:{prefix}*`. */
export function secretsResourceArn(stack: Stack, prefix: string): string {
  validateSecretsPrefix(prefix);
  // The trailing `*` covers the six random characters Secrets Manager appends to every secret ARN.
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Adds the Secrets Manager (and, when given a key, KMS) statements to the grantee's policy. */
export function grantSecretsAccess(grantee: IGrantable & IConstruct, options: SecretsAccessOptions): void {
  const stack = Stack.of(grantee);
  const secrets = secretsResourceArn(stack, options.secretsPrefix);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ sid: 'ReadGatewaySecrets', actions: ['secretsmanager:GetSecretValue'], resources: [secrets] }),
  );
  acknowledgeWildcardResources(
    grantee,
    [secrets],
    'Virtual keys, stored configs and limits are secrets that operators create after the deploy, under the gateway\'s own ' +
      'name prefix (which ends in "/"); Secrets Manager adds six random characters to every secret ARN. Read-only, one action, ' +
      'this account and region.',
  );

  if (options.kmsKeyArn === undefined || options.kmsKeyArn === '') return;
  if (!Token.isUnresolved(options.kmsKeyArn) && !KMS_KEY_ARN.test(options.kmsKeyArn)) {
    throw new Error(`kmsKeyArn "${options.kmsKeyArn}" must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>).`);
  }
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'DecryptGatewaySecrets',
      actions: ['kms:Decrypt'],
      resources: [options.kmsKeyArn],
      // Only Secrets Manager may use the key on the function's behalf, not the function directly.
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
    }),
  );
}
