/**
 * A stored answer's bytes: one format byte, then the part's JSON compressed. Brotli at quality 5
 * (`bench/cache-cost.ts`: about gzip -6's size or smaller, at less CPU to write; reading is tens
 * of µs either way); quality 11, brotli's default, costs 20-70× the CPU for ~15% less. The format
 * byte lets the encoding change later while old entries stay readable.
 */
import type * as Zlib from 'node:zlib';
import { lazy } from '../api/lazy.ts';
import type { CompletionPart } from '../providers/provider.ts';

/** Loaded on the first cached answer: most requests use no cache, and zlib costs ~2.6 ms of init on Node 24. */
const zlib = lazy(() => process.getBuiltinModule('node:zlib') as typeof Zlib);

const FORMAT_GZIP_JSON = 1;
const FORMAT_BROTLI_JSON = 2;
const BROTLI_QUALITY = 5;

export function encodeAnswer(part: CompletionPart): Uint8Array {
  const json = Buffer.from(JSON.stringify(part));
  const { brotliCompressSync, constants } = zlib();
  const compressed = brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.byteLength,
    },
  });
  const bytes = new Uint8Array(compressed.byteLength + 1);
  bytes[0] = FORMAT_BROTLI_JSON;
  bytes.set(compressed, 1);
  return bytes;
}

/** @throws on an unknown format or corrupt bytes (the cache treats that as a miss). */
export function decodeAnswer(bytes: Uint8Array): CompletionPart {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1);
  let json: Buffer;
  if (bytes[0] === FORMAT_BROTLI_JSON) json = zlib().brotliDecompressSync(body);
  else if (bytes[0] === FORMAT_GZIP_JSON) json = zlib().gunzipSync(body);
  else throw new Error(`unknown cache entry format ${bytes[0]}`);
  const part = JSON.parse(json.toString('utf8')) as CompletionPart;
  if (!part || !Array.isArray(part.choices)) throw new Error('cache entry is not a completion part');
  return part;
}
