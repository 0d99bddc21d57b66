/**
 * Walks the planned route tree: a leaf is attempted; a strategy node chooses among its
 * children (single: the first; fallback: each in turn; loadbalance: weighted random;
 * conditional: the first matching query's target, else the default). Nesting is free.
 */
import { InvalidRequestError, UpstreamError } from '../api/errors.ts';
import { chooseWeighted } from './choose-weighted.ts';
import { evaluateQuery, type QueryContext } from './evaluate-query.ts';
import type { RouteNode } from './plan-route.ts';

export interface WalkContext {
  query: QueryContext;
  random: () => number;
  signal?: AbortSignal | undefined;
}

export async function walkRoute<T>(node: RouteNode, attempt: (leaf: RouteNode) => Promise<T>, context: WalkContext): Promise<T> {
  const { strategy, children } = node;
  if (children.length === 0) return attempt(node);
  // Targets without a strategy are read as `single`, as Portkey's docs' smallest configs are.
  switch (strategy?.mode ?? 'single') {
    case 'single':
      return walkRoute(children[0]!, attempt, context);
    case 'loadbalance':
      return walkRoute(children[chooseWeighted(children, context.random)]!, attempt, context);
    case 'conditional':
      return walkRoute(chooseConditional(node, context.query), attempt, context);
    case 'fallback':
      return fallback(node, attempt, context);
  }
}

/**
 * Next target on a failed attempt (retries already spent). Only the upstream's failures move
 * on: a mistake in the request or config would fail the same way everywhere, so it is
 * answered at once. With `on_status_codes`, only those statuses move on.
 */
async function fallback<T>(node: RouteNode, attempt: (leaf: RouteNode) => Promise<T>, context: WalkContext): Promise<T> {
  const onStatusCodes = node.strategy!.on_status_codes;
  let lastError: unknown;
  for (const child of node.children) {
    try {
      return await walkRoute(child, attempt, context);
    } catch (error) {
      if (context.signal?.aborted || !(error instanceof UpstreamError)) throw error;
      if (onStatusCodes && !onStatusCodes.includes(error.statusCode)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

function chooseConditional(node: RouteNode, query: QueryContext): RouteNode {
  const { conditions = [], default: fallbackName } = node.strategy!;
  const matched = conditions.find((condition) => evaluateQuery(condition.query, query));
  const name = matched?.then ?? fallbackName;
  const chosen = name === undefined ? undefined : node.children.find((child) => child.name === name);
  if (!chosen) {
    throw new InvalidRequestError(`No condition of ${node.path} matched this request and it has no default target.`, {
      param: 'x-portkey-config',
      code: 'no_matching_condition',
    });
  }
  return chosen;
}
