/**
 * Where a Vertex AI call goes: project and region (Portkey's `vertex_project_id` /
 * `vertex_region`, headers `x-portkey-vertex-project-id` / `-vertex-region`) form the host and
 * the path, so both are held to the engine's URL-safe shapes before use.
 * @see https://cloud.google.com/vertex-ai/docs/general/locations
 * @see https://cloud.google.com/resource-manager/docs/creating-managing-projects (project id rules)
 */
import type { ProviderTarget } from '../../config/target.ts';
import { requireTargetField } from '../check-target-fields.ts';

// The shapes are the engine's (check-target-fields.ts): domain-scoped projects (`example.com:proj`) pass.
export function vertexProject(target: ProviderTarget): string {
  return requireTargetField(target, 'vertex_project_id', 'vertex-ai');
}

export function vertexRegion(target: ProviderTarget): string {
  return requireTargetField(target, 'vertex_region', 'vertex-ai');
}

/** `https://{region}-aiplatform.googleapis.com/v1`; the `global` endpoint has no region in its host. */
export function vertexBaseUrl(target: ProviderTarget): string {
  const region = vertexRegion(target);
  return region === 'global' ? 'https://aiplatform.googleapis.com/v1' : `https://${region}-aiplatform.googleapis.com/v1`;
}
