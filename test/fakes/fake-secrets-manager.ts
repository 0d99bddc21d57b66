/**
 * A loopback stand-in for AWS Secrets Manager that speaks the service's JSON 1.1 protocol, enough
 * for the real SDK client's GetSecretValue: `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue`
 * and `content-type: application/x-amz-json-1.1`. Reach it through `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 * It counts calls per secret, and can be told to deny, throttle, fail or drop connections.
 *
 * Response and error shapes (errors are `{"__type", "message"}` with the status the docs list:
 * ResourceNotFoundException, AccessDeniedException, ThrottlingException 400; InternalServiceError
 * 500; ServiceUnavailable 503):
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceivedRequest } from './fake-upstream.ts';

export type Outage = 'throttling' | 'internal' | 'unavailable' | 'drop';

export interface FakeSecretsManager {
  url: string;
  /** GetSecretValue calls per SecretId, answered or not. */
  calls: Map<string, number>;
  /** Every request's X-Amz-Target and Authorization presence, in order. */
  requests: Array<{ target: string | undefined; contentType: string | undefined; signed: boolean; secretId: string }>;
  /** Every request as it arrived (method, path, headers, body), for checking its signature. */
  received: ReceivedRequest[];
  /** Stores a secret; objects are stored as their JSON text, as `aws secretsmanager create-secret --secret-string` would. */
  put(name: string, value: string | object): void;
  remove(name: string): void;
  /** Answers AccessDeniedException for this name, as when the role's policy does not cover it. */
  deny(name: string): void;
  /** Makes every call fail this way until set back to null. */
  outage: Outage | null;
  /** Delay before answering, so concurrent requests overlap. */
  delayMs: number;
  totalCalls(): number;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, { text: string; versionId: string; created: number; suffix: string }>();
  const denied = new Set<string>();
  const fake: FakeSecretsManager = {
    url: '',
    calls: new Map(),
    requests: [],
    received: [],
    put(name, value) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      secrets.set(name, { text, versionId: randomUUID(), created: Date.now() / 1000, suffix: randomUUID().slice(0, 6) });
    },
    remove: (name) => void secrets.delete(name),
    deny: (name) => void denied.add(name),
    outage: null,
    delayMs: 0,
    totalCalls: () => [...fake.calls.values()].reduce((sum, count) => sum + count, 0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const target = request.headers['x-amz-target'] as string | undefined;
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let input: { SecretId?: string } = {};
      try {
        input = JSON.parse(rawBody) as { SecretId?: string };
        fake.received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: input, rawBody });
      } catch {
        return error(response, 400, 'SerializationException', 'Malformed JSON.');
      }
      const secretId = input.SecretId ?? '';
      fake.requests.push({ target, contentType: request.headers['content-type'], signed: /^AWS4-HMAC-SHA256 /.test(request.headers.authorization ?? ''), secretId });
      if (request.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
        return error(response, 400, 'UnknownOperationException', `Unsupported target ${target}.`);
      }
      fake.calls.set(secretId, (fake.calls.get(secretId) ?? 0) + 1);
      if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));

      switch (fake.outage) {
        case 'drop':
          return request.socket.destroy();
        case 'throttling':
          return error(response, 400, 'ThrottlingException', 'Rate exceeded');
        case 'internal':
          return error(response, 500, 'InternalServiceError', 'An error occurred on the server side.');
        case 'unavailable':
          return error(response, 503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
      if (denied.has(secretId)) {
        return error(
          response,
          400,
          'AccessDeniedException',
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/llm-gateway/llm-gateway is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretId} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
        );
      }
      const secret = secrets.get(secretId);
      if (!secret) return error(response, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      send(response, 200, {
        ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secretId}-${secret.suffix}`,
        Name: secretId,
        VersionId: secret.versionId,
        SecretString: secret.text,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.created,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** The SDK needs a region and some credentials; nothing checks the signature. */
export function fakeAwsEnv(fake: FakeSecretsManager): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

function error(response: http.ServerResponse, status: number, type: string, message: string): void {
  send(response, status, { __type: type, message });
}
