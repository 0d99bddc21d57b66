/**
 * Structured JSON log lines on stdout (CloudWatch reads them as-is). Callers pass fields,
 * never whole requests: keys and prompts stay out of the log by construction.
 * `LOG_LEVEL` = debug | info | warn | error | silent (default info).
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stdout.write(`${line}\n`);

function threshold(): number {
  return LEVELS[(process.env.LOG_LEVEL ?? 'info') as keyof typeof LEVELS] ?? LEVELS.info;
}

function write(level: Level, message: string, fields?: LogFields): void {
  if (LEVELS[level] < threshold()) return;
  sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }));
}

export const log = {
  debug: (message: string, fields?: LogFields) => write('debug', message, fields),
  info: (message: string, fields?: LogFields) => write('info', message, fields),
  warn: (message: string, fields?: LogFields) => write('warn', message, fields),
  error: (message: string, fields?: LogFields) => write('error', message, fields),
};

/** Redirects log lines (tests capture them); returns a function that restores the previous sink. */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
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
