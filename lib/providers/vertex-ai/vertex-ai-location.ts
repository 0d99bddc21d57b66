/**
 * Where a Vertex AI call goes: project and region (Portkey's `vertex_project_id` /
 * `vertex_region`, headers `x-portkey-vertex-project-id` / `-vertex-region`) form the host and
 * the path, so both are held to URL-safe shapes before use.
 * @see https://cloud.google.com/vertex-ai/docs/general/locations
 * @see https://cloud.google.com/resource-manager/docs/creating-managing-projects (project id rules)
 */
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';

// URL-safe shapes, the same as main's engine check (check-target-fields.ts): domain-scoped projects (`example.com:proj`) pass.
const PROJECT_ID = /^(?:[a-z0-9.-]{1,63}:)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function vertexProject(target: ProviderTarget): string {
  return checked(target.vertex_project_id, PROJECT_ID, 'vertex_project_id', 'a Google Cloud project id');
}

export function vertexRegion(target: ProviderTarget): string {
  return checked(target.vertex_region, REGION, 'vertex_region', 'a Vertex AI region such as us-central1, or global');
}

/** `https://{region}-aiplatform.googleapis.com/v1`; the `global` endpoint has no region in its host. */
export function vertexBaseUrl(target: ProviderTarget): string {
  const region = vertexRegion(target);
  return region === 'global' ? 'https://aiplatform.googleapis.com/v1' : `https://${region}-aiplatform.googleapis.com/v1`;
}

function checked(value: string | undefined, pattern: RegExp, field: string, what: string): string {
  const header = `x-portkey-${field.replaceAll('_', '-')}`;
  if (value === undefined) throw new InvalidRequestError(`vertex-ai needs ${field} (header ${header}).`, { param: header, code: 'missing_provider_field' });
  if (!pattern.test(value)) throw new InvalidRequestError(`${field} must be ${what}.`, { param: header, code: 'invalid_provider_field' });
  return value;
}
