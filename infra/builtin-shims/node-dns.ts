/**
 * `node:dns` for the Lambda bundle, without an ESM import of it: see node-http.ts. The ESM facade
 * reads `promises`, whose getter loads the promise API (`internal/dns/promises`) at init; the
 * gateway only calls `lookup` (lib/upstream/send-upstream.ts), and only on its first upstream call.
 */
const dns = process.getBuiltinModule('node:dns');
export default dns;
export const { lookup } = dns;
