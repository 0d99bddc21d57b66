/**
 * The usage record as its JSON log line, written by hand: `{"level":"info","time":…,"requestId":…,
 * "message":"request",…}`, members in the record's order. Its first members match lib/log.ts
 * lines, so one query reads both.
 *
 * By hand because it runs once per invocation, mostly in V8's first tiers and with cold caches:
 * there `new Date().toISOString()` took ~9 µs and `JSON.stringify` of the record ~8 µs, this whole
 * line ~3 µs (Node 24, a call every millisecond). A test holds it equal to `JSON.stringify`.
 */
import type { UsageRecord } from './usage-record.ts';

/**
 * @example
 * formatUsageJson(record, Date.now(), 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
 * // {"level":"info","time":"2026-11-27T10:00:00.123Z","requestId":"c6af…","message":"request","traceId":…}
 */
export function formatUsageJson(record: UsageRecord, time: number, requestId: string | undefined): string {
  return (
    `{"level":"info","time":"${isoTime(time)}"${requestId === undefined ? '' : `,"requestId":${text(requestId)}`},"message":"request",` +
    `"traceId":${text(record.traceId)},"caller":${text(record.caller)},"account":${text(record.account)},"virtualKey":${text(record.virtualKey)},` +
    `"config":${text(record.config)},"provider":${text(record.provider)},"model":${text(record.model)},"target":${text(record.target)},` +
    `"status":${number(record.status)},"errorCode":${text(record.errorCode)},"stream":${record.stream},"retries":${number(record.retries)},` +
    `"fallbacks":${number(record.fallbacks)},"cache":${text(record.cache)},"latencyMs":${number(record.latencyMs)},"firstByteMs":${number(record.firstByteMs)},` +
    `"promptTokens":${number(record.promptTokens)},"completionTokens":${number(record.completionTokens)},"totalTokens":${number(record.totalTokens)},` +
    `"tokensEstimated":${record.tokensEstimated},"costUsd":${number(record.costUsd)}}`
  );
}

/** A JSON string: as it is when it holds only printable ASCII other than `"` and `\`, else `JSON.stringify`'s escape. */
function text(value: string | null): string {
  if (value === null) return 'null';
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** As `JSON.stringify` writes a number: NaN and the infinities are `null`. */
function number(value: number | null): string {
  return value !== null && Number.isFinite(value) ? `${value}` : 'null';
}

/**
 * `Date#toISOString` of a time in whole ms, the minute's `YYYY-MM-DDTHH:MM:` kept: invocations of
 * a busy container mostly fall in the minute of the one before.
 */
let minuteStart = Number.NaN;
let minutePrefix = '';

export function isoTime(time: number): string {
  let milliseconds = time - minuteStart;
  if (!(milliseconds >= 0 && milliseconds < 60_000)) {
    const start = time - (((time % 60_000) + 60_000) % 60_000);
    const iso = new Date(start).toISOString();
    // Years outside 0000-9999 have a longer form; not worth keeping.
    if (iso.length !== 24 || !Number.isInteger(time)) return new Date(time).toISOString();
    minuteStart = start;
    minutePrefix = iso.slice(0, 17);
    milliseconds = time - start;
  }
  const seconds = Math.floor(milliseconds / 1000);
  const rest = milliseconds % 1000;
  return `${minutePrefix}${seconds < 10 ? '0' : ''}${seconds}.${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}Z`;
}
