import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, UpstreamError } from '../../api/errors.ts';
import {
  CLOUD_PLATFORM_SCOPE,
  createGoogleTokenCache,
  parseGoogleServiceAccount,
  type GoogleServiceAccount,
} from './google-service-account-token.ts';

/**
 * A loopback stand-in for https://oauth2.googleapis.com/token: it checks the grant the way
 * Google does (form body, RS256 signature against the account's public key, claims) and
 * answers like Google (`{access_token, expires_in, token_type}` or `{error, error_description}`).
 */
interface TokenServer {
  url: string;
  requests: Array<{ header: Record<string, unknown>; claims: Record<string, unknown>; contentType: string | undefined }>;
  /** What the next answers are; `hold` delays them until `release()`. */
  mode: 'ok' | 'unavailable';
  expiresIn: number;
  hold: boolean;
  release: () => void;
  close: () => Promise<void>;
}

async function startTokenServer(publicKey: KeyObject): Promise<TokenServer> {
  let waiting: Array<() => void> = [];
  const state: TokenServer = {
    url: '',
    requests: [],
    mode: 'ok',
    expiresIn: 3599,
    hold: false,
    release: () => {
      const pending = waiting;
      waiting = [];
      for (const answer of pending) answer();
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer(async (request, response) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const form = new URLSearchParams(raw);
    const answer = (status: number, body: unknown) => {
      const send = () => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (state.hold) waiting.push(send);
      else send();
    };
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return answer(400, { error: 'unsupported_grant_type' });
    const [encodedHeader, encodedClaims, signature] = (form.get('assertion') ?? '').split('.');
    const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString()) as Record<string, unknown>;
    const header = decode(encodedHeader);
    const claims = decode(encodedClaims);
    state.requests.push({ header, claims, contentType: request.headers['content-type'] });
    const signed = verify('sha256', Buffer.from(`${encodedHeader}.${encodedClaims}`), publicKey, Buffer.from(signature ?? '', 'base64url'));
    if (header.alg !== 'RS256' || !signed) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    if (claims.aud !== state.url) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT: audience' });
    if (state.mode === 'unavailable') return answer(503, { error: 'internal_failure', error_description: 'Backend unavailable' });
    answer(200, { access_token: `ya29.token-${state.requests.length}`, expires_in: state.expiresIn, token_type: 'Bearer' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return state;
}

function newKeyPair() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const { publicKey, privateKey } = newKeyPair();
let server: TokenServer;
let account: GoogleServiceAccount;

beforeAll(async () => {
  server = await startTokenServer(publicKey);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests = [];
  server.mode = 'ok';
  server.expiresIn = 3599;
  server.hold = false;
  account = parseGoogleServiceAccount(
    JSON.stringify({
      type: 'service_account',
      project_id: 'my-project',
      private_key_id: 'key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: 'gateway@my-project.iam.gserviceaccount.com',
      token_uri: server.url,
    }),
  );
});

describe('the JWT-bearer exchange', () => {
  it('sends an RS256 assertion the token server verifies with the public key, and returns its token', async () => {
    const tokens = createGoogleTokenCache();

    const token = await tokens.getAccessToken(account);

    expect(token).toBe('ya29.token-1');
    expect(server.requests).toHaveLength(1);
    const [{ header, claims, contentType }] = server.requests as [TokenServer['requests'][number]];
    expect(contentType).toBe('application/x-www-form-urlencoded');
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    expect(claims).toMatchObject({ iss: account.client_email, aud: server.url, scope: CLOUD_PLATFORM_SCOPE });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('is refused as a 401 when the key does not match the account, and the message carries no key', async () => {
    const stranger = newKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const tokens = createGoogleTokenCache();

    const error = await tokens.getAccessToken({ ...account, private_key: stranger }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).statusCode).toBe(401);
    expect((error as AuthenticationError).code).toBe('invalid_grant');
    expect((error as Error).message).toContain('Invalid JWT Signature.');
    expect((error as Error).message).not.toContain('PRIVATE KEY');
  });
});

describe('the token cache', () => {
  it('reuses the token until the refresh margin before expiry, then exchanges again', async () => {
    let now = 1_800_000_000_000;
    const tokens = createGoogleTokenCache({ now: () => now, refreshMarginMs: 300_000 });

    expect(await tokens.getAccessToken(account)).toBe('ya29.token-1');
    now += 3599_000 - 300_000 - 1;
    expect(await tokens.getAccessToken(account)).toBe('ya29.token-1');
    expect(server.requests).toHaveLength(1);

    now += 1;
    expect(await tokens.getAccessToken(account)).toBe('ya29.token-2');
    expect(server.requests).toHaveLength(2);
  });

  it('keeps a short-lived token for half its life when the margin is longer than that', async () => {
    let now = 1_800_000_000_000;
    server.expiresIn = 60;
    const tokens = createGoogleTokenCache({ now: () => now, refreshMarginMs: 300_000 });

    await tokens.getAccessToken(account);
    now += 29_999;
    await tokens.getAccessToken(account);
    expect(server.requests).toHaveLength(1);
    now += 1;
    await tokens.getAccessToken(account);
    expect(server.requests).toHaveLength(2);
  });

  it('shares one exchange among concurrent callers for one account', async () => {
    server.hold = true;
    const tokens = createGoogleTokenCache();

    const callers = Array.from({ length: 8 }, () => tokens.getAccessToken(account));
    await waitFor(() => server.requests.length === 1);
    server.release();

    expect(await Promise.all(callers)).toEqual(Array(8).fill('ya29.token-1'));
    expect(server.requests).toHaveLength(1);
  });

  it('keeps accounts apart: another key is another exchange', async () => {
    const tokens = createGoogleTokenCache();
    await tokens.getAccessToken(account);
    const other = newKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    await tokens.getAccessToken({ ...account, private_key: other }).catch(() => undefined);

    expect(server.requests).toHaveLength(2);
  });

  it('does not remember a failure: an outage is a retryable upstream error and the next call exchanges again', async () => {
    server.mode = 'unavailable';
    const tokens = createGoogleTokenCache();

    const error = await tokens.getAccessToken(account).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).statusCode).toBe(503);
    expect((error as UpstreamError).isRetryable).toBe(true);

    server.mode = 'ok';
    expect(await tokens.getAccessToken(account)).toBe('ya29.token-2');
  });

  it('answers with the still-valid token when a refresh inside the margin fails, and refreshes on the next call', async () => {
    let now = 1_800_000_000_000;
    const tokens = createGoogleTokenCache({ now: () => now, refreshMarginMs: 300_000 });
    expect(await tokens.getAccessToken(account)).toBe('ya29.token-1');

    now += 3599_000 - 60_000;
    server.mode = 'unavailable';
    expect(await tokens.getAccessToken(account)).toBe('ya29.token-1');
    expect(server.requests).toHaveLength(2);

    server.mode = 'ok';
    expect(await tokens.getAccessToken(account)).toBe('ya29.token-3');
  });

  it('fails once the old token has expired too', async () => {
    let now = 1_800_000_000_000;
    const tokens = createGoogleTokenCache({ now: () => now });
    await tokens.getAccessToken(account);

    now += 3599_000;
    server.mode = 'unavailable';
    await expect(tokens.getAccessToken(account)).rejects.toBeInstanceOf(UpstreamError);
  });

  it('lets one caller leave without cancelling the exchange the others wait for', async () => {
    server.hold = true;
    const tokens = createGoogleTokenCache();
    const leaving = new AbortController();

    const left = tokens.getAccessToken(account, { signal: leaving.signal });
    const staying = tokens.getAccessToken(account);
    await waitFor(() => server.requests.length === 1);
    leaving.abort(new Error('caller went away'));
    await expect(left).rejects.toThrow('caller went away');
    server.release();

    expect(await staying).toBe('ya29.token-1');
    expect(server.requests).toHaveLength(1);
  });

  it('reports an unreachable token endpoint as a retryable connection error', async () => {
    const tokens = createGoogleTokenCache();
    const error = await tokens
      .getAccessToken({ ...account, token_uri: 'http://127.0.0.1:1/token' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).isConnectionError).toBe(true);
    expect((error as UpstreamError).isRetryable).toBe(true);
  });

  it('never sends an assertion over plain http off this machine', async () => {
    let called = false;
    const tokens = createGoogleTokenCache({
      fetch: async () => {
        called = true;
        return new Response('{}');
      },
    });
    await expect(tokens.getAccessToken({ ...account, token_uri: 'http://oauth2.example.com/token' })).rejects.toThrow(/must use https/);
    expect(called).toBe(false);
  });
});

describe('parseGoogleServiceAccount', () => {
  it('names the missing field and never echoes the JSON', () => {
    const secret = JSON.stringify({ client_email: 'a@b.iam.gserviceaccount.com', private_key_id: 'secret-id-123' });
    expect(() => parseGoogleServiceAccount(secret)).toThrow('vertex_service_account_json lacks private_key');
    expect(() => parseGoogleServiceAccount(secret)).not.toThrow(/secret-id-123/);
    expect(() => parseGoogleServiceAccount('{not json')).toThrow(AuthenticationError);
  });

  it('refuses a private key it cannot read as a 401', async () => {
    const tokens = createGoogleTokenCache();
    const error = await tokens.getAccessToken({ ...account, private_key: 'garbage' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(server.requests).toHaveLength(0);
  });
});

/** Polls a condition, bounded at 2 s (for the held server to see its first request). */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
