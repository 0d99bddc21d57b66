import { afterEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../../lib/log.ts';
import type { FinishedRequest } from '../../lib/request-finished.ts';
import { createRouteOutcome } from '../../lib/routing/route-outcome.ts';
import { dependenciesFromEnv } from './dependencies-from-env.ts';

const finished = (): FinishedRequest => ({
  traceId: 'trace-1',
  caller: { userArn: null, accountId: null },
  outcome: createRouteOutcome(),
  statusCode: 400,
  errorCode: 'invalid_request',
  stream: false,
  usage: undefined,
  sentTexts: [],
  callerGone: false,
  latencyMs: 3,
  firstByteMs: 2,
});

describe('dependenciesFromEnv: the usage record', () => {
  const lines: string[] = [];
  let restore = setLogSink((line) => lines.push(line));
  afterEach(() => {
    lines.length = 0;
    restore();
    restore = setLogSink((line) => lines.push(line));
  });

  async function written(env: NodeJS.ProcessEnv, isTerminal: boolean): Promise<string[]> {
    lines.length = 0;
    await dependenciesFromEnv({ GATEWAY_KEY_SOURCE: 'file', ...env }, () => isTerminal).onRequestFinished!(finished());
    return [...lines];
  }

  it('is one readable line on a terminal off Lambda, JSON elsewhere, as GATEWAY_USAGE_LOG says when set', async () => {
    expect(await written({}, true)).toEqual(['400 - - 0+0 tok $? 3 ms invalid_request']);
    expect(JSON.parse((await written({}, false))[0]!)).toMatchObject({ message: 'request', traceId: 'trace-1', status: 400 });
    expect(JSON.parse((await written({ AWS_LAMBDA_FUNCTION_NAME: 'gateway' }, true))[0]!)).toMatchObject({ message: 'request' });
    expect(JSON.parse((await written({ GATEWAY_USAGE_LOG: 'json' }, true))[0]!)).toMatchObject({ message: 'request' });
    expect(await written({ GATEWAY_USAGE_LOG: 'line' }, false)).toEqual(['400 - - 0+0 tok $? 3 ms invalid_request']);
  });

  it('adds an EMF line when GATEWAY_METRICS=emf', async () => {
    const output = await written({ GATEWAY_METRICS: 'emf' }, false);
    expect(output).toHaveLength(2);
    expect(JSON.parse(output[1]!)).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'LlmGateway' }] }, Provider: 'none', Requests: 1, Errors: 1 });
  });
});
