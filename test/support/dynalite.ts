/**
 * A real DynamoDB-compatible server for the store tests (limits, cache, the deployed asset): dynalite,
 * in-process on loopback, with the gateway's table (`pk`/`sk`) created; the gateway's own client or a real
 * `@aws-sdk/client-dynamodb` client (to check what the gateway wrote) pointed at it.
 * Also a proxy in front of it that can delay or throttle calls, as a slow or busy DynamoDB would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { shortRetryStrategy } from '../../lib/store/short-retry-strategy.ts';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => http.Server;

export const TEST_TABLE = 'gateway-test';
const REGION = 'eu-west-1';
/** dynalite checks their shape, not their value. */
const TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/**
 * The gateway table's keys and billing, as infra/gateway-table.ts deploys them: the tests' table is
 * created from this, and the infra test expects it of the synthesized table, so the two cannot drift.
 */
export const GATEWAY_TABLE_KEYS: Required<Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'BillingMode'>> = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

export interface Dynalite {
  url: string;
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 with the gateway table in it. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = dynamoDbClient(url);
  await client.send(
    new CreateTableCommand({
      TableName: TEST_TABLE,
      ...GATEWAY_TABLE_KEYS,
    }),
  );
  client.destroy();
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Where and as whom the gateway's own DynamoDB client (lib/store/dynamodb-http-client.ts) reaches `endpoint`. */
export function dynaliteConnection(endpoint: string) {
  return { endpoint, region: REGION, credentials: { ...TEST_CREDENTIALS } };
}

/**
 * A real SDK client for `endpoint`, with test credentials (dynalite checks their shape, not their
 * value) and the retry policy the gateway's own client uses.
 */
export function dynamoDbClient(endpoint: string, options: { maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: REGION,
    retryStrategy: shortRetryStrategy({ maxAttempts: options.maxAttempts ?? 3 }),
    credentials: { ...TEST_CREDENTIALS },
  });
}

export interface DynamoDbProxy {
  url: string;
  /** Requests that reached the proxy. */
  readonly requests: number;
  /** Requests forwarded to the target and answered by it (a delayed one lands after its caller gave up). */
  readonly forwarded: number;
  /** Answers the next `count` requests with DynamoDB's 400 `ThrottlingException`. */
  throttleNext(count: number): void;
  close(): Promise<void>;
}

/** A loopback proxy to `target` that holds each request `delayMs` before forwarding it. */
export async function startDynamoDbProxy(target: string, options: { delayMs?: number } = {}): Promise<DynamoDbProxy> {
  const agent = new http.Agent({ keepAlive: true });
  let requests = 0;
  let forwarded = 0;
  let throttled = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (throttled > 0) {
        throttled -= 1;
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
        return;
      }
      const forward = () => {
        const upstream = http.request(`${target}${request.url ?? '/'}`, { method: request.method, headers: request.headers, agent }, (answer) => {
          forwarded += 1;
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        });
        upstream.on('error', () => response.destroy());
        upstream.end(Buffer.concat(chunks));
      };
      if (options.delayMs) setTimeout(forward, options.delayMs);
      else forward();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    get forwarded() {
      return forwarded;
    },
    throttleNext(count) {
      throttled = count;
    },
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
