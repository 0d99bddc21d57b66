/**
 * `node:timers` for the Lambda bundle, without an ESM import of it: see node-http.ts. The ESM
 * facade reads `promises`, whose getter loads `timers/promises` at init, for Middy's one
 * `setTimeout`.
 */
const timers = process.getBuiltinModule('node:timers');
export default timers;
export const { clearTimeout, setTimeout } = timers;
