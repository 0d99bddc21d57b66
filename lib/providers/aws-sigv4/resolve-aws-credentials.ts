/**
 * Which AWS credentials sign a call to an AWS service (Bedrock, SageMaker): the target's own (`x-portkey-aws-*` headers or a
 * virtual key's `aws_*` fields), else the AWS SDK default chain. On Lambda the chain ends at
 * the execution role's environment variables, so that step is read here directly
 * (lib/aws/resolve-aws-connection.ts, shared with the gateway's own AWS calls) and the
 * chain's module (~375 KB, loaded lazily) is only imported where the environment has none
 * (profiles, SSO, container or instance metadata on a laptop or EC2).
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
import { AuthenticationError, InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { credentialsFromEnvironment } from '../../aws/resolve-aws-connection.ts';
import type { AwsCredentials } from '../../aws/sign-aws-request.ts';

type CredentialProvider = () => Promise<AwsCredentials>;
let defaultChain: CredentialProvider | undefined;

export async function resolveAwsCredentials(target: ProviderTarget, env: NodeJS.ProcessEnv = process.env): Promise<AwsCredentials> {
  if (target.aws_access_key_id || target.aws_secret_access_key) {
    if (!target.aws_access_key_id || !target.aws_secret_access_key) {
      throw new InvalidRequestError('Send both x-portkey-aws-access-key-id and x-portkey-aws-secret-access-key, or neither.', {
        param: target.aws_access_key_id ? 'x-portkey-aws-secret-access-key' : 'x-portkey-aws-access-key-id',
        code: 'incomplete_aws_credentials',
      });
    }
    return { accessKeyId: target.aws_access_key_id, secretAccessKey: target.aws_secret_access_key, sessionToken: target.aws_session_token };
  }
  // The chain's first step, as the chain takes it (skipped when AWS_PROFILE names a profile).
  const fromEnvironment = credentialsFromEnvironment(env);
  if (fromEnvironment) return fromEnvironment;
  try {
    defaultChain ??= await loadDefaultChain();
    return await defaultChain();
  } catch (error) {
    // The chain's own message names every source it tried; none of them is a secret.
    throw new AuthenticationError('No AWS credentials: none in the request, the environment or the default chain.', {
      code: 'missing_aws_credentials',
      cause: error,
    });
  }
}

async function loadDefaultChain(): Promise<CredentialProvider> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  // The provider memoises and refreshes expiring (role, SSO) credentials itself.
  return defaultProvider() as CredentialProvider;
}
