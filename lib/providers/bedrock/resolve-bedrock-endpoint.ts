/**
 * Where a Bedrock call goes: its region and runtime endpoint. The credentials are the shared
 * aws-sigv4 module's, the signing lib/aws's.
 */
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { checkTargetField } from '../check-target-fields.ts';

/** The region of a target: `x-portkey-aws-region` / `aws_region`, else `AWS_REGION` (`AWS_DEFAULT_REGION`). */
export function resolveBedrockRegion(target: ProviderTarget, env: NodeJS.ProcessEnv = process.env): string {
  const region = target.aws_region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new InvalidRequestError('Choose an AWS region for Bedrock with x-portkey-aws-region.', { param: 'x-portkey-aws-region', code: 'missing_aws_region' });
  }
  // The shape is the engine's (check-target-fields.ts), also for a region from the environment.
  return checkTargetField('aws_region', region);
}

/**
 * The runtime endpoint: a custom host, else `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, else
 * `AWS_ENDPOINT_URL` (the SDKs' service-specific and global endpoint variables), else AWS's.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function resolveBedrockEndpoint(target: ProviderTarget, region: string, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = target.custom_host ?? env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? env.AWS_ENDPOINT_URL ?? `https://bedrock-runtime.${region}.amazonaws.com`;
  return endpoint.replace(/\/+$/, '');
}
