/**
 * A provider target, described once: the snake_case fields a config target, a virtual key's
 * secret, and the request headers can set (DESIGN.md → Contracts → Config). The config schema
 * (routing-config.ts) and the secret schema (lib/keys/parse-stored-key.ts) spread
 * `targetFieldsShape()`; `ProviderTarget` is derived from it.
 *
 * The shape is built on first use (lib/api/lazy.ts): its URL check, refinements and some thirty
 * fields are a few milliseconds of every cold start, and only a request with a config or a
 * virtual key reads it.
 */
import { lazy } from '../api/lazy.ts';
import { z } from '../api/zod.ts';
import { MAX_FORWARD_HEADERS, refusedForwardHeader } from './forwardable-headers.ts';
import { pricingSchema } from '../usage/pricing-schema.ts';

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
  // Issue #16's providers, by Portkey's names: Cloudflare's account (a URL path segment), Azure AI Foundry's endpoint.
  'workers_ai_account_id',
  'azure_foundry_url',
  // SageMaker: the endpoint and container format (the gateway's own names), then Portkey's X-Amzn-SageMaker-* fields.
  'sagemaker_endpoint_name',
  'sagemaker_container',
  // Vertex AI's service-account key (Portkey's name); a credential, see CREDENTIAL_FIELDS.
  'vertex_service_account_json',
  ...(['custom_attributes', 'target_model', 'target_variant', 'target_container_hostname', 'inference_id', 'enable_explanations', 'inference_component', 'session_id'] as const).map((name) => `amzn_sagemaker_${name}` as const),
] as const;

/**
 * The fields that are a credential. They come as a set: whoever names one of them (a config
 * node, a virtual key's secret) replaces all of them, so a key never rides along to a target
 * that brought its own.
 */
export const CREDENTIAL_FIELDS = ['api_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'vertex_service_account_json'] as const;

const nonEmpty = () => z.string().check(z.minLength(1));

const providerFieldShape = () =>
  Object.fromEntries(PROVIDER_FIELDS.map((field) => [field, z.optional(nonEmpty())])) as Record<(typeof PROVIDER_FIELDS)[number], z.ZodMiniOptional<z.ZodMiniString>>;

/** Every target field, each optional; a schema that needs one (a secret's `provider`) overrides it. */
export const targetFieldsShape = lazy(() => ({
  provider: z.optional(nonEmpty()),
  api_key: z.optional(nonEmpty()),
  virtual_key: z.optional(nonEmpty()),
  /** Replaces the provider's base URL, version prefix included. Callers' hosts also pass the custom-host guard. */
  custom_host: z.optional(z.url({ protocol: /^https?$/, error: 'must use http or https, as an absolute URL' })),
  /** Names of caller headers to forward to the provider unchanged; never hop-by-hop or framing ones. */
  forward_headers: z.optional(
    z
      .array(
        nonEmpty().check(
          z.maxLength(256),
          z.refine((name) => refusedForwardHeader(name) === undefined, {
            error: (issue) => refusedForwardHeader(String(issue.input)) ?? 'cannot be forwarded',
          }),
        ),
      )
      .check(z.maxLength(MAX_FORWARD_HEADERS)),
  ),
  /** Milliseconds until the upstream's response headers (a stream: its first event). */
  request_timeout: z.optional(z.number().check(z.int(), z.gt(0))),
  override_params: z.optional(z.record(z.string(), z.unknown())),
  /**
   * Whether an OpenAI-style upstream is sent `stream_options` (to report a stream's usage). Unset:
   * the provider's own default (true for most); false for a server that rejects the field (an
   * older vLLM, say), whose streams are then counted by the gateway's tokenizer.
   */
  send_stream_options: z.optional(z.boolean()),
  /** This target's own price per million tokens; wins over the price table in the usage record. */
  pricing: z.optional(pricingSchema()),
  ...providerFieldShape(),
}));

/** Only its type is used: `TargetFields`. */
function targetFieldsSchema() {
  return z.object(targetFieldsShape());
}

/** A target's fields as far as they are known (a config node, the headers, a secret). */
export type TargetFields = z.infer<ReturnType<typeof targetFieldsSchema>>;

/** One resolved provider target: the provider is known. */
export type ProviderTarget = TargetFields & { provider: string };
