/** `node:https` for the Lambda bundle, without an ESM import of it: see node-http.ts. */
const https = process.getBuiltinModule('node:https');
export default https;
export const { Agent, Server, createServer, get, globalAgent, request } = https;
