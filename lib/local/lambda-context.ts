/**
 * The `context` a handler gets, with exactly the fields AWS's runtime client (`aws-lambda-ric` 4,
 * nodejs24.x) builds from the invocation's headers and Lambda's environment. No
 * `callbackWaitsForEmptyEventLoop`: Node 24's runtime has no callback handlers and sets none.
 */
import { randomUUID } from 'node:crypto';

const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;
const FUNCTION_NAME = 'llm-gateway-local';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION_NAME}`;
const LOG_GROUP_NAME = `/aws/lambda/${FUNCTION_NAME}`;

export function createLambdaContext(options: { timeoutMs?: number; memoryMb?: number } = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? FIFTEEN_MINUTES_MS);
  const awsRequestId = randomUUID();
  return {
    clientContext: undefined,
    identity: undefined,
    invokedFunctionArn: FUNCTION_ARN,
    awsRequestId,
    tenantId: undefined,
    xRayTraceId: undefined,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    memoryLimitInMB: options.memoryMb === undefined ? '512' : String(options.memoryMb),
    logGroupName: LOG_GROUP_NAME,
    logStreamName: 'local',
  };
}
