/**
 * One resolved provider target: the snake_case fields a config target, a virtual key's
 * secret, or the request headers can set (DESIGN.md → Contracts → Config).
 */
export interface ProviderTarget {
  provider: string;
  api_key?: string;
  virtual_key?: string;
  custom_host?: string;
  /** Names of caller headers to forward to the provider unchanged. */
  forward_headers?: string[];
  /** Milliseconds until the upstream's response headers (a stream: its first event). */
  request_timeout?: number;
  override_params?: Record<string, unknown>;
  azure_resource_name?: string;
  azure_deployment_id?: string;
  azure_api_version?: string;
  aws_region?: string;
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
  vertex_project_id?: string;
  vertex_region?: string;
  openai_organization?: string;
  openai_project?: string;
  anthropic_version?: string;
  anthropic_beta?: string;
}

/** Provider-specific string fields, each also readable from `x-portkey-<field with dashes>`. */
export const PROVIDER_FIELDS = [
  'azure_resource_name',
  'azure_deployment_id',
  'azure_api_version',
  'aws_region',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'vertex_project_id',
  'vertex_region',
  'openai_organization',
  'openai_project',
  'anthropic_version',
  'anthropic_beta',
] as const satisfies ReadonlyArray<keyof ProviderTarget>;
