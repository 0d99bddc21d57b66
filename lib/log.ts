/**
 * Structured JSON log lines on stdout (CloudWatch reads them as-is). Callers pass fields,
 * never whole requests: keys and prompts stay out of the log by construction.
 * `LOG_LEVEL` = debug | info | warn | error | silent (default info); when it is unset, Lambda's
 * own log-level control (`AWS_LAMBDA_LOG_LEVEL`: TRACE, DEBUG, INFO, WARN, ERROR, FATAL) decides.
 * On Lambda every line carries the invocation's `requestId`, set once per invocation at the edge.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

/** Lambda's level names onto ours: TRACE logs everything we write, FATAL only what nothing of ours is. */
const LAMBDA_LEVELS: Record<string, keyof typeof LEVELS> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'silent' };

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stdout.write(`${line}\n`);
/** Several lines in one write (one syscall), while the sink is stdout's; a sink of a test's gets them one by one. */
let batchSink: ((lines: readonly string[]) => void) | undefined = (lines) => process.stdout.write(`${lines.join('\n')}\n`);
let requestId: string | undefined;

function threshold(): number {
  const level = process.env.LOG_LEVEL ?? LAMBDA_LEVELS[process.env.AWS_LAMBDA_LOG_LEVEL?.toLowerCase() ?? ''] ?? 'info';
  return LEVELS[level as keyof typeof LEVELS] ?? LEVELS.info;
}

function write(level: Level, message: string, fields?: LogFields): void {
  if (LEVELS[level] < threshold()) return;
  sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...(requestId === undefined ? undefined : { requestId }), ...fields }));
}

export const log = {
  debug: (message: string, fields?: LogFields) => write('debug', message, fields),
  info: (message: string, fields?: LogFields) => write('info', message, fields),
  warn: (message: string, fields?: LogFields) => write('warn', message, fields),
  error: (message: string, fields?: LogFields) => write('error', message, fields),
};

/**
 * The Lambda request id every following line carries (the edge sets it as an invocation starts;
 * one container runs one invocation at a time). Undefined stops adding it.
 */
export function setLogRequestId(id: string | undefined): void {
  requestId = id;
}

/** The request id lines carry now, for writers of their own (the usage record). */
export function logRequestId(): string | undefined {
  return requestId;
}

/**
 * Writes a finished line as it is, whatever the level (the usage record and EMF lines: they are
 * the bill and the metrics, not diagnostics), to the same sink as every other line.
 */
export function writeLogLine(line: string): void {
  sink(line);
}

/**
 * Finished lines written together: on stdout one write, not one per line (the usage record and
 * its EMF line: a write to Lambda's log pipe is a syscall, measured as most of the record's cost
 * in bench/usage-recording.ts). Each line still arrives in CloudWatch as its own event.
 */
export function writeLogLines(lines: readonly string[]): void {
  if (batchSink) batchSink(lines);
  else for (const line of lines) sink(line);
}

/** Redirects log lines (tests capture them); returns a function that restores the previous sink. */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  const previousBatch = batchSink;
  sink = next;
  batchSink = undefined;
  return () => {
    sink = previous;
    batchSink = previousBatch;
  };
}

/** The loggable summary of an error: name, message, status and the cause's name, no stack. */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };
  const fields: LogFields = { error: error.name, errorMessage: error.message };
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status !== undefined) fields.statusCode = status;
  if (error.cause instanceof Error) fields.cause = `${error.cause.name}: ${error.cause.message}`;
  return fields;
}
