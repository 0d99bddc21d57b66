/**
 * When the gateway may sign a Bedrock call with its own AWS credentials (the Lambda's role, or a
 * laptop's chain): only towards AWS's own Bedrock runtime, an endpoint the operators set
 * (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, a host stored in a secret), and only in the regions the
 * stack allows (`GATEWAY_BEDROCK_REGIONS`). A signed request hands its receiver the access key
 * id and session token, and the role's grant spans the regions IAM lists: whoever picks the host
 * or the region with someone else's credentials must be stopped before anything is signed.
 * Targets that bring their own AWS keys are not restricted: the keys are theirs.
 */
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { isCustomHostTrusted } from '../../keys/trusted-custom-host.ts';

/** AWS's Bedrock runtime endpoints (standard and FIPS); the capture is the region. */
const AWS_BEDROCK_RUNTIME_HOST = /^bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com$/;

/** True when the target brings its own AWS keys (half a pair is refused where keys are resolved). */
export function hasOwnAwsCredentials(target: ProviderTarget): boolean {
  return target.aws_access_key_id !== undefined || target.aws_secret_access_key !== undefined;
}

/**
 * @throws InvalidRequestError (400) for a caller's custom host that is not AWS's Bedrock runtime
 *   in the signing region, and for a region outside `GATEWAY_BEDROCK_REGIONS` (when set).
 */
export function checkAmbientSigning(target: ProviderTarget, region: string, url: string, env: NodeJS.ProcessEnv = process.env): void {
  if (target.custom_host !== undefined && !isCustomHostTrusted(target)) {
    const awsRegion = AWS_BEDROCK_RUNTIME_HOST.exec(new URL(url).hostname)?.[1];
    if (awsRegion !== region) {
      throw new InvalidRequestError(
        "The gateway does not sign requests to a caller's custom host with its own AWS credentials. Send x-portkey-aws-access-key-id and x-portkey-aws-secret-access-key for that host, or use a virtual key whose secret names it.",
        { param: 'x-portkey-custom-host', code: 'custom_host_needs_aws_credentials' },
      );
    }
  }
  const allowed = allowedBedrockRegions(env);
  if (allowed.length > 0 && !allowed.includes(region)) {
    throw new InvalidRequestError(`Bedrock region ${region} is not enabled on this gateway; allowed: ${allowed.join(', ')}.`, {
      param: 'aws_region',
      code: 'aws_region_not_allowed',
    });
  }
}

/** The host a Bedrock call without a custom host goes to: the operators' endpoint, else AWS's for the region. */
export function bedrockExpectedHost(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? env.AWS_ENDPOINT_URL;
  return endpoint ? new URL(endpoint).host : `bedrock-runtime.${region}.amazonaws.com`;
}

/** `GATEWAY_BEDROCK_REGIONS`, a comma list the stack sets; empty or unset: no restriction (locally). */
function allowedBedrockRegions(env: NodeJS.ProcessEnv): string[] {
  const value = env.GATEWAY_BEDROCK_REGIONS;
  if (value === cachedValue) return cachedRegions;
  cachedValue = value;
  cachedRegions = (value ?? '')
    .split(',')
    .map((region) => region.trim())
    .filter((region) => region !== '');
  return cachedRegions;
}
let cachedValue: string | undefined;
let cachedRegions: string[] = [];
