import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { log, setLogRequestId, setLogSink, writeLogLine, writeLogLines } from './log.ts';

describe('log', () => {
  const lines: string[] = [];
  let restore: () => void;
  const saved = { LOG_LEVEL: process.env.LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL: process.env.AWS_LAMBDA_LOG_LEVEL };

  beforeEach(() => {
    lines.length = 0;
    restore = setLogSink((line) => lines.push(line));
  });
  afterEach(() => {
    restore();
    setLogRequestId(undefined);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("follows Lambda's log level when LOG_LEVEL is unset, and LOG_LEVEL when it is set", () => {
    delete process.env.LOG_LEVEL;
    process.env.AWS_LAMBDA_LOG_LEVEL = 'WARN';
    log.info('dropped');
    log.warn('kept');
    process.env.AWS_LAMBDA_LOG_LEVEL = 'DEBUG';
    log.debug('debug kept');
    process.env.AWS_LAMBDA_LOG_LEVEL = 'FATAL';
    log.error('dropped too');
    process.env.LOG_LEVEL = 'info';
    log.info('LOG_LEVEL wins');
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['kept', 'debug kept', 'LOG_LEVEL wins']);
  });

  it('is info when neither is set', () => {
    delete process.env.LOG_LEVEL;
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
    log.debug('dropped');
    log.info('kept');
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['kept']);
  });

  it('puts the request id of the invocation on every line once the edge sets it', () => {
    process.env.LOG_LEVEL = 'debug';
    log.info('before');
    setLogRequestId('c6af9ac6-7b61-11e6-9a41-93e812345678');
    log.debug('during', { traceId: 't-1' });
    log.error('also during');
    setLogRequestId(undefined);
    log.info('after');
    expect(lines.map((line) => JSON.parse(line).requestId)).toEqual([undefined, 'c6af9ac6-7b61-11e6-9a41-93e812345678', 'c6af9ac6-7b61-11e6-9a41-93e812345678', undefined]);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'debug', message: 'during', traceId: 't-1' });
  });

  it('writes a finished line (the usage record) whatever the level, to the same sink', () => {
    process.env.LOG_LEVEL = 'silent';
    log.error('dropped');
    writeLogLine('{"message":"request"}');
    writeLogLines(['{"message":"request"}', '{"_aws":{}}']);
    expect(lines).toEqual(['{"message":"request"}', '{"message":"request"}', '{"_aws":{}}']);
  });
});
