/**
 * The shims the entry loads at init, imported by each of them: whichever one a chunk imports, it
 * reaches them all, so esbuild's code splitting (a chunk per set of importers) puts the four in one
 * chunk instead of four, and the entry loads one module where it loaded four (~0.25 ms each on
 * Node 24). Nothing is evaluated earlier than before: the entry imports all four at init anyway.
 * node:fs/promises and node:stream/web stay out: the first loads on first use only, the second
 * is the entry's alone.
 */
import './node-crypto.ts';
import './node-fs.ts';
import './node-http.ts';
import './node-https.ts';
