import { EventStreamCodec } from '@smithy/eventstream-codec';
import { describe, expect, it } from 'vitest';
import { chunkFrame, exceptionFrame } from '../../test/fakes/fake-bedrock.ts';
import { decodeAwsEventStream, type AwsStreamEvent } from './decode-aws-event-stream.ts';


async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<AwsStreamEvent[]> {
  const events: AwsStreamEvent[] = [];
  for await (const event of decodeAwsEventStream(body)) events.push(event);
  return events;
}

const frames = [chunkFrame({ generation: 'Hello' }), chunkFrame({ generation: ' world', stop_reason: 'stop' }), exceptionFrame('throttlingException', 'Too many requests')];
const stream = Buffer.concat(frames);

describe('decodeAwsEventStream', () => {
  it.each([1, 7, 64, stream.length])('decodes frames however the bytes are split (%i-byte pieces)', async (size) => {
    const events = await collect(pieces(stream, size));
    expect(events.map(({ messageType, eventType }) => [messageType, eventType])).toEqual([
      ['event', 'chunk'],
      ['event', 'chunk'],
      ['exception', 'throttlingException'],
    ]);
    const envelope = JSON.parse(Buffer.from(events[0]!.payload).toString('utf8')) as { bytes: string };
    expect(JSON.parse(Buffer.from(envelope.bytes, 'base64').toString('utf8'))).toEqual({ generation: 'Hello' });
    expect(JSON.parse(Buffer.from(events[2]!.payload).toString('utf8'))).toEqual({ message: 'Too many requests' });
  });

  it('gives a protocol error frame its :error-message as payload', async () => {
    const codec = new EventStreamCodec((bytes) => Buffer.from(bytes).toString('utf8'), (text) => Buffer.from(text, 'utf8'));
    const text = (value: string) => ({ type: 'string' as const, value });
    const error = codec.encode({
      headers: { ':message-type': text('error'), ':error-code': text('InternalFailure'), ':error-message': text('Stream reset by the service') },
      body: new Uint8Array(0),
    });
    const [event] = await collect(pieces(error, 1000));
    expect([event!.messageType, event!.eventType]).toEqual(['error', 'InternalFailure']);
    expect(JSON.parse(Buffer.from(event!.payload).toString('utf8'))).toEqual({ message: 'Stream reset by the service' });
  });

  it('refuses a stream that ends inside a frame', async () => {
    await expect(collect(pieces(stream.subarray(0, stream.length - 5), 100))).rejects.toThrow(/ended inside a frame/);
  });

  it('refuses a frame whose checksum does not match', async () => {
    const corrupt = Buffer.from(frames[0]!);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 6) ^ 0xff, corrupt.length - 6);
    await expect(collect(pieces(corrupt, 1000))).rejects.toThrow(/checksum/i);
  });

  it('refuses an impossible length prefix instead of waiting for 4 GB', async () => {
    await expect(collect(pieces(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), 8))).rejects.toThrow(/impossible length/);
  });
});
