/**
 * Validates the target fields that become part of an upstream URL or header, before anything
 * is built from them. A field spliced into a host (`https://${azure_resource_name}.openai.azure.com`)
 * must not be able to carry a `:port/x?`, a `#` or a `user@` that moves the request to a host of
 * the caller's choosing; a field in a path must not climb out of it; a field in a header must not
 * break the header. Values are never echoed back: some are credentials, all are the caller's.
 */
import { InvalidRequestError } from '../api/errors.ts';
import type { ProviderTarget } from '../config/target.ts';

interface FieldRule {
  pattern: RegExp;
  /** What a valid value looks like, for the error message. */
  expected: string;
}

/** Header-safe text: visible ASCII and inner spaces, no CR / LF. */
const HEADER_TEXT: FieldRule = { pattern: /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/, expected: 'visible ASCII text of at most 256 characters' };
/** AWS's pattern for SageMaker endpoint, variant, inference-component and container host names (at most 63). */
const SAGEMAKER_RESOURCE_NAME: FieldRule = { pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, expected: '1-63 letters, digits and hyphens' };
/** `\A\S[\p{Print}]*\z` in AWS's words: printable ASCII, not starting with a space. */
const sagemakerPrintable = (maxLength: number): FieldRule => ({
  pattern: new RegExp(`^[!-~][ -~]{0,${maxLength - 1}}$`),
  expected: `printable ASCII not starting with a space, at most ${maxLength} characters`,
});
/** A credential goes into a header (or a signature): visible ASCII without spaces. */
const CREDENTIAL: FieldRule = { pattern: /^[\x21-\x7e]{1,8192}$/, expected: 'visible ASCII characters without spaces' };

/**
 * @see https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules#microsoftcognitiveservices
 * @see https://cloud.google.com/resource-manager/docs/creating-managing-projects (project ids)
 */
const FIELD_RULES: Readonly<Partial<Record<keyof ProviderTarget, FieldRule>>> = {
  azure_resource_name: { pattern: /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/i, expected: 'an Azure resource name: letters, digits and hyphens, at most 64' },
  azure_deployment_id: { pattern: /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$/, expected: 'an Azure deployment name: letters, digits, ".", "_" and "-", at most 64' },
  azure_api_version: { pattern: /^[A-Za-z0-9._-]{1,40}$/, expected: 'an API version such as 2024-10-21' },
  aws_region: { pattern: /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, expected: 'an AWS region such as us-east-1' },
  // DNS-label shapes: what keeps them in their place in a host or path, not Google's finer rules.
  vertex_region: { pattern: /^[a-z0-9]+(?:-[a-z0-9]+)*$/, expected: 'a Google Cloud region such as us-central1, or global' },
  vertex_project_id: { pattern: /^(?:[a-z0-9.-]{1,63}:)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, expected: 'a Google Cloud project id such as my-project-123' },
  // A path segment of api.cloudflare.com/client/v4/accounts/{id}/ai.
  workers_ai_account_id: { pattern: /^[a-f0-9]{32}$/, expected: 'a Cloudflare account id: 32 hex characters' },
  // SageMaker: the endpoint is a path segment; the rest become X-Amzn-SageMaker-* headers, held to what AWS accepts.
  // @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_RequestSyntax
  sagemaker_endpoint_name: SAGEMAKER_RESOURCE_NAME,
  amzn_sagemaker_custom_attributes: { pattern: /^[ -~]{0,1024}$/, expected: 'printable ASCII, at most 1024 characters' },
  amzn_sagemaker_target_model: sagemakerPrintable(1024),
  amzn_sagemaker_target_variant: SAGEMAKER_RESOURCE_NAME,
  amzn_sagemaker_target_container_hostname: SAGEMAKER_RESOURCE_NAME,
  amzn_sagemaker_inference_id: sagemakerPrintable(64),
  amzn_sagemaker_enable_explanations: sagemakerPrintable(64),
  amzn_sagemaker_inference_component: SAGEMAKER_RESOURCE_NAME,
  amzn_sagemaker_session_id: sagemakerPrintable(256),
  openai_organization: HEADER_TEXT,
  openai_project: HEADER_TEXT,
  anthropic_version: HEADER_TEXT,
  anthropic_beta: HEADER_TEXT,
  api_key: CREDENTIAL,
  aws_access_key_id: CREDENTIAL,
  aws_secret_access_key: CREDENTIAL,
  aws_session_token: CREDENTIAL,
};

const RULE_ENTRIES = Object.entries(FIELD_RULES) as Array<[keyof ProviderTarget, FieldRule]>;
const RULES_BY_FIELD: ReadonlyMap<string, FieldRule> = new Map(RULE_ENTRIES);

/**
 * @throws InvalidRequestError (400, `invalid_provider_field`) naming the field's header, never its value.
 * @example checkTargetFields({ provider: 'azure-openai', azure_resource_name: '127.0.0.1:22/x?' }) // throws
 */
export function checkTargetFields(target: ProviderTarget): void {
  // A target sets a handful of fields, the rules name some thirty: the target's own are looked at
  // first, and the rules walked in their order only when one fails (so the first failing rule is
  // still the one reported).
  let valid = true;
  for (const field in target) {
    const rule = RULES_BY_FIELD.get(field);
    if (rule === undefined || !Object.hasOwn(target, field)) continue;
    const value = target[field as keyof ProviderTarget];
    if (value !== undefined && (typeof value !== 'string' || !rule.pattern.test(value))) {
      valid = false;
      break;
    }
  }
  if (valid) return;
  for (const [field, rule] of RULE_ENTRIES) {
    const value = target[field];
    if (value === undefined || (typeof value === 'string' && rule.pattern.test(value))) continue;
    throw invalidField(field, rule);
  }
}

/**
 * One field by the same table, for a provider that reads it before the engine's check runs (a
 * base URL, an expected host) or from elsewhere too (`AWS_REGION` for `aws_region`).
 * @example checkTargetField('vertex_region', 'us-central1') // 'us-central1'
 */
export function checkTargetField(field: keyof ProviderTarget & keyof typeof FIELD_RULES, value: string): string {
  const rule = FIELD_RULES[field];
  if (rule && !rule.pattern.test(value)) throw invalidField(field, rule);
  return value;
}

/** Whether a value has a field's shape, for a value that may come from elsewhere (a SageMaker endpoint named by the model). */
export function hasTargetFieldShape(field: keyof ProviderTarget & keyof typeof FIELD_RULES, value: string): boolean {
  return FIELD_RULES[field]?.pattern.test(value) ?? true;
}

/**
 * A field the provider cannot do without, checked by the table.
 * @throws InvalidRequestError (400, `missing_provider_field`) when absent, naming its header.
 */
export function requireTargetField(target: ProviderTarget, field: keyof ProviderTarget & keyof typeof FIELD_RULES, providerName: string): string {
  const value = target[field];
  if (typeof value !== 'string') {
    throw new InvalidRequestError(`${providerName} needs ${field} (header ${fieldHeader(field)}).`, { param: fieldHeader(field), code: 'missing_provider_field' });
  }
  return checkTargetField(field, value);
}

function fieldHeader(field: string): string {
  return `x-portkey-${field.replaceAll('_', '-')}`;
}

function invalidField(field: string, rule: FieldRule): InvalidRequestError {
  const header = fieldHeader(field);
  return new InvalidRequestError(`${field} (${header}) must be ${rule.expected}.`, { param: header, code: 'invalid_provider_field' });
}

/**
 * Refuses a path whose segments would be resolved away (`.`, `..`, also percent-encoded): URL
 * parsing would climb out of the provider's path (`models/../../v1/files`) on the provider's host.
 * @example checkUpstreamPath('/models/../../other:generateContent') // throws
 */
export function checkUpstreamPath(path: string): void {
  // Without a dot or a percent sign no segment can be one (the common path, e.g. `/completions`).
  if (!path.includes('.') && !path.includes('%')) return;
  const pathname = path.split('?', 1)[0]!;
  for (const segment of pathname.split('/')) {
    if (/^(?:\.|%2e){1,2}$/i.test(segment)) {
      throw new InvalidRequestError('A model or deployment id must not be "." or "..", nor contain such a path segment.', {
        param: 'model',
        code: 'invalid_model',
      });
    }
  }
}
