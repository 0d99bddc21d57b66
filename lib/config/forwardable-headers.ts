/**
 * Which caller headers `forward_headers` may pass upstream. The gateway builds the upstream
 * request itself (its own body, its own connection), so headers about the message's framing,
 * encoding or connection belong to the gateway: a forwarded `content-length` or
 * `transfer-encoding` next to the gateway's own body desynchronises the upstream's parser
 * (request smuggling), `host` re-targets a virtual host, `expect`/`upgrade`/`te` change the
 * exchange, and `accept-encoding` gets a compressed body the gateway does not decode.
 *
 * Credentials are not on the list: a forwarded `authorization` (or `x-api-key`) is the caller's
 * own value going to the provider the caller chose, and the provider's own auth headers are
 * applied after forwarded ones (lib/providers/build-upstream-request.ts), so a forwarded header
 * can neither replace nor reveal a stored credential.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1 (hop-by-hop fields)
 */
export const REFUSED_FORWARD_HEADERS: ReadonlySet<string> = new Set([
  // Hop-by-hop (RFC 9110 7.6.1, RFC 9112) and their common non-standard relatives.
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  // Framing and encoding of the body the gateway writes and reads.
  'content-length',
  'content-encoding',
  'accept-encoding',
  // The exchange itself.
  'host',
  'expect',
]);

/** At most this many names per target: real uses forward a handful of headers. */
export const MAX_FORWARD_HEADERS = 32;

/** Why `name` may not be forwarded, or undefined when it may. */
export function refusedForwardHeader(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  if (REFUSED_FORWARD_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith(':')) {
    return `"${lower.slice(0, 64)}" is a hop-by-hop, framing or connection header the gateway sets itself; it cannot be forwarded`;
  }
  return undefined;
}
