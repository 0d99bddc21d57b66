/**
 * `node:crypto` for the Lambda bundle, without an ESM import of it: see node-http.ts. The ESM
 * facade reads `webcrypto` and `subtle`, whose getters load all of Web Crypto at init, which the
 * gateway never uses (`getRandomValues` loads it when first called).
 */
const crypto = process.getBuiltinModule('node:crypto');
export default crypto;
export const { createHash, createHmac, createPrivateKey, createPublicKey, getRandomValues, randomUUID, sign } = crypto;
