/**
 * Walks the planned route tree: a leaf is attempted; a strategy node chooses among its
 * children (single: the first; fallback: each in turn; loadbalance: weighted random;
 * conditional: the first matching query's target, else the default). Nesting is free.
 */
import { GatewayError, InvalidRequestError, toGatewayError, UpstreamError } from '../api/errors.ts';
import { TargetUnavailableError } from '../keys/key-errors.ts';
import { describeError, log } from '../log.ts';
import { chooseWeighted } from './choose-weighted.ts';
import { evaluateQuery, type QueryContext } from './evaluate-query.ts';
import type { RouteNode } from './plan-route.ts';

export interface WalkContext {
  query: QueryContext;
  random: () => number;
  signal?: AbortSignal | undefined;
  traceId?: string | undefined;
}

/**
 * Not async: a leaf (the whole route of a request without a config) is its attempt's own promise,
 * with no wrapper around it. Whatever fails while choosing rejects, as from an async function.
 */
export function walkRoute<T>(node: RouteNode, attempt: (leaf: RouteNode) => Promise<T>, context: WalkContext): Promise<T> {
  const { strategy, children } = node;
  try {
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
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Next target on a failed attempt (retries already spent). Failures of the upstream, of the
 * gateway's side (a 5xx, e.g. Secrets Manager unavailable) and of the target's own virtual key
 * (unknown, denied, malformed) move on, and are logged; a mistake in the request or config
 * (any other 4xx of our own) would fail the same way everywhere, so it is answered at once.
 * With `on_status_codes`, only those statuses move on.
 */
async function fallback<T>(node: RouteNode, attempt: (leaf: RouteNode) => Promise<T>, context: WalkContext): Promise<T> {
  const onStatusCodes = node.strategy!.on_status_codes;
  let lastError: unknown;
  for (const [index, child] of node.children.entries()) {
    try {
      return await walkRoute(child, attempt, context);
    } catch (error) {
      if (context.signal?.aborted || !movesOn(error)) throw error;
      const { statusCode } = toGatewayError(error);
      if (onStatusCodes && !onStatusCodes.includes(statusCode)) throw error;
      lastError = error;
      if (index < node.children.length - 1) {
        log.info('falling back', { traceId: context.traceId, failed: child.path, next: node.children[index + 1]!.path, ...describeError(error) });
      }
    }
  }
  throw lastError;
}

function movesOn(error: unknown): boolean {
  if (error instanceof UpstreamError || error instanceof TargetUnavailableError) return true;
  return !(error instanceof GatewayError) || error.statusCode >= 500;
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
