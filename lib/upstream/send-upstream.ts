import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import { InvalidRequestError, UpstreamError } from '../api/errors.ts';
import { normalise, type AddressPolicy } from './address-policy.ts';
import type { UpstreamRequest } from './upstream-request.ts';
import { createWorkAfterSent } from './work-after-sent.ts';

type Agents = Record<'http:' | 'https:', http.Agent>;

/**
 * Keep-alive agents shared by every request of the process (a Lambda container lives for
 * many invocations): a warm connection saves a TCP and TLS handshake per request.
 */
const agents: Agents = createAgents();

/**
 * Agents for caller-chosen hosts, one pair per address policy: their sockets were connected
 * under that policy's check, so a socket opened for a trusted host (or under a laxer policy)
 * is never reused for a caller's request to the same name.
 */
const guardedAgents = new WeakMap<AddressPolicy, Agents>();

function createAgents(lookup?: LookupFunction): Agents {
  return {
    'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo', ...(lookup ? { lookup } : {}) }),
    'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo', ...(lookup ? { lookup } : {}) }),
  };
}

export interface UpstreamResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  /** The raw body; iterate it, or `destroy()` it when it is not wanted. */
  body: http.IncomingMessage;
}

export interface SendOptions {
  provider: string;
  signal?: AbortSignal | undefined;
  /**
   * The host (`host[:port]` as `URL.host` writes it) or host pattern the URL must have: the last
   * check before connecting, whatever built the URL (see lib/providers/upstream-destination.ts).
   */
  expectedHost?: string | RegExp | undefined;
  /** For a caller-chosen host: the addresses it may resolve to, checked as the socket connects. */
  addressPolicy?: AddressPolicy | undefined;
}

/** Bounded by its one caller: it queues at most once per container. */
const afterSent = createWorkAfterSent('an upstream request');

/**
 * Runs `work` once the next upstream request has been written to its socket (lib/upstream/work-after-sent.ts):
 * the place for heavy work the request does not need, such as compiling the price table.
 */
export function afterNextUpstreamRequest(work: () => void): void {
  afterSent.add(work);
}

/** A caller-chosen host resolved to (or is) an address the gateway does not connect to. */
class AddressRefusedError extends Error {
  constructor() {
    super('address refused');
    this.name = 'AddressRefusedError';
  }
}

/**
 * Sends one request and resolves when the response headers arrive. Aborting `signal`
 * tears down the socket (before or after the headers) and rejects with the signal's reason.
 *
 * @throws UpstreamError with `isConnectionError` when no response came back (naming the
 *   provider and the error code, never the host or port: a virtual key's host is not the
 *   caller's to learn; both are logged through the cause); InvalidRequestError (400) for a
 *   URL whose host is not the expected one or a caller-chosen host at a refused address.
 */
export function sendUpstream(request: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse> {
  const url = parseUpstreamUrl(request.url);
  const { provider, signal, addressPolicy } = options;
  const protocol = url.protocol as keyof Agents;
  if (protocol !== 'http:' && protocol !== 'https:') {
    return Promise.reject(new UpstreamError(`Unsupported upstream protocol ${url.protocol}`, { provider, statusCode: 502 }));
  }
  if (options.expectedHost !== undefined && !hostMatches(url.host, options.expectedHost)) {
    return Promise.reject(
      new InvalidRequestError(`The upstream URL built for ${provider} does not point at ${provider}'s host; nothing was sent.`, {
        code: 'upstream_host_not_allowed',
      }),
    );
  }
  if (addressPolicy && url.isAddress && !addressPolicy.allows(url.hostname)) {
    return Promise.reject(addressRefused());
  }
  const agent = (addressPolicy ? guardedAgentsFor(addressPolicy) : agents)[protocol];
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise((resolve, reject) => {
    const transport = protocol === 'https:' ? https : http;
    const outgoing = transport.request({
      ...url.requestOptions,
      method: request.method,
      headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
      agent,
    });
    // One listener for both phases (listeners on an AbortSignal are not cheap): before the
    // headers an abort tears down the request, past them the body owns it.
    let body: http.IncomingMessage | undefined;
    const onAbort = () => {
      const reason = signal!.reason instanceof Error ? signal!.reason : new Error('aborted');
      if (body) return void body.destroy(reason);
      outgoing.destroy(reason);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    outgoing.once('response', (incoming) => {
      if (signal) {
        body = incoming;
        incoming.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      resolve({ statusCode: incoming.statusCode ?? 502, headers: incoming.headers, body: incoming });
    });
    outgoing.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (error instanceof AddressRefusedError) return reject(addressRefused());
      reject(
        new UpstreamError(`Could not reach ${provider}: ${describeConnectionError(error)}.`, {
          provider,
          statusCode: 502,
          code: 'upstream_unreachable',
          isConnectionError: true,
          // Logged (code and host), never told.
          cause: error,
        }),
      );
    });
    afterSent.end(outgoing, request.body);
  });
}

interface ParsedUpstreamUrl {
  protocol: string;
  /** `host[:port]` as `URL.host` writes it. */
  host: string;
  hostname: string;
  /** The host is an IP literal: no lookup happens, so the address policy is checked here. */
  isAddress: boolean;
  /** What node:http makes of the URL (it would otherwise redo this per request). */
  requestOptions: http.RequestOptions;
}

/**
 * Parsed URLs by their text. A process sends to a handful of URLs again and again (a provider's
 * endpoint, a custom host), and parsing one plus node:http's own conversion of the URL object was
 * ~2% of the local server's CPU per request. Bounded: a flood of distinct URLs only empties it.
 */
const parsedUrls = new Map<string, ParsedUpstreamUrl>();
const PARSED_URLS_LIMIT = 256;

/** @throws TypeError (`ERR_INVALID_URL`) as `new URL` does. */
function parseUpstreamUrl(text: string): ParsedUpstreamUrl {
  let parsed = parsedUrls.get(text);
  if (parsed) return parsed;
  const url = new URL(text);
  const { protocol, hostname, port, path, auth } = urlToHttpOptions(url);
  // Only what node:http reads to connect and send (not href, hash, search, pathname), so each request copies less.
  const requestOptions: http.RequestOptions = auth === undefined ? { protocol, hostname, port, path } : { protocol, hostname, port, path, auth };
  parsed = { protocol: url.protocol, host: url.host, hostname: url.hostname, isAddress: normalise(url.hostname)[1] !== undefined, requestOptions };
  if (parsedUrls.size >= PARSED_URLS_LIMIT) parsedUrls.clear();
  parsedUrls.set(text, parsed);
  return parsed;
}

/** The system error's code (ECONNREFUSED, ENOTFOUND, ...): its message would name the host and port. */
function describeConnectionError(error: Error & { code?: unknown }): string {
  return typeof error.code === 'string' && /^[A-Z_]+$/.test(error.code) ? error.code : 'the connection failed';
}

function addressRefused(): InvalidRequestError {
  return new InvalidRequestError(
    'The custom host resolves to a loopback, private, link-local or metadata address, which GATEWAY_ALLOWED_CUSTOM_HOSTS does not list; nothing was sent.',
    { param: 'x-portkey-custom-host', code: 'custom_host_not_allowed' },
  );
}

function hostMatches(host: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? host === expected.toLowerCase() : expected.test(host);
}

function guardedAgentsFor(policy: AddressPolicy): Agents {
  let pair = guardedAgents.get(policy);
  if (!pair) {
    pair = createAgents(guardedLookup(policy));
    guardedAgents.set(policy, pair);
  }
  return pair;
}

/**
 * dns.lookup, refusing the whole name when any of its addresses is refused (a name that mixes a
 * public and a private address is a rebinding attempt, not a fallback).
 */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    dns.lookup(hostname, options, (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => {
      if (error) return callback(error);
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      if (addresses.some((candidate) => !policy.allows(candidate))) return callback(new AddressRefusedError());
      callback(null, address, family);
    });
  }) as LookupFunction;
}

/** The upstream's body broke off or grew past its bound: a broken upstream, 502. */
export class UpstreamBodyError extends UpstreamError {
  override readonly name: string = 'UpstreamBodyError';
}

/**
 * Reads a whole body as text, refusing more than `limitBytes` (a broken upstream must not
 * exhaust memory): over the limit, or cut off mid-way, is a 502 naming the provider.
 * Stream events, not `for await`: the async iterator cost ~15-25 µs of CPU per answer.
 */
export function readBodyText(body: Readable, options: { provider: string; limitBytes: number }): Promise<string> {
  const { provider, limitBytes } = options;
  const incomplete = (cause: unknown) =>
    new UpstreamBodyError(`The connection to ${provider} broke before its answer was complete.`, {
      provider,
      statusCode: 502,
      code: 'upstream_response_incomplete',
      isConnectionError: true,
      cause,
    });
  if (body.destroyed) return Promise.reject(incomplete(body.errored ?? prematureClose()));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: UpstreamBodyError) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        fail(
          new UpstreamBodyError(`${provider} sent an answer larger than this gateway accepts (${limitBytes} bytes).`, {
            provider,
            statusCode: 502,
            code: 'upstream_response_too_large',
          }),
        );
        body.destroy();
        return;
      }
      chunks.push(chunk);
    };
    body.on('data', onData);
    body.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    body.once('error', (error) => {
      if (!settled) fail(incomplete(error));
    });
    // Closed without 'end' and without an error: cut off. (After 'end' it closes too: no error built then.)
    body.once('close', () => {
      if (!settled) fail(incomplete(body.errored ?? prematureClose()));
    });
  });
}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}
