/**
 * InvokeEndpointWithResponseStream answers with an AWS event stream whose `PayloadPart` events
 * carry the container's own bytes, cut wherever SageMaker cut them: a line of TGI's SSE or
 * LMI's JSON lines (or one UTF-8 character) may span parts, and one part may hold many lines.
 * This joins the parts back into lines. `ModelStreamError` and `InternalStreamFailure` are
 * the stream's error events.
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_ResponseStream.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-test-endpoints.html (reading the stream)
 */
import { UpstreamError } from '../../api/errors.ts';
import type { AwsStreamEvent } from '../provider.ts';

/** A bound on one unterminated line, so a container that never sends a newline cannot fill memory. */
const MAXIMUM_LINE_BYTES = 1024 * 1024;

export interface PayloadLineReader {
  /** Lines completed by this event ([] when it ends mid-line). @throws UpstreamError for an error event. */
  push(event: AwsStreamEvent): string[];
  /** The last line when the stream ended without a final newline. */
  end(): string[];
}

/**
 * @example
 * const reader = createPayloadLineReader();
 * reader.push(part('data:{"tok')); // []
 * reader.push(part('en":1}\n\n')); // ['data:{"token":1}', '']
 */
export function createPayloadLineReader(): PayloadLineReader {
  // stream: true keeps a UTF-8 character cut between two parts whole.
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending = '';

  return {
    push(event) {
      if (event.messageType !== 'event' || event.eventType !== 'PayloadPart') throw streamEventError(event);
      pending += decoder.decode(event.payload, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop()!;
      if (pending.length > MAXIMUM_LINE_BYTES) {
        throw new UpstreamError('sagemaker: a stream line exceeds 1 MiB', { provider: 'sagemaker', statusCode: 502 });
      }
      return lines.map(stripCarriageReturn);
    },
    end() {
      const rest = pending + decoder.decode();
      pending = '';
      return rest.trim() === '' ? [] : [stripCarriageReturn(rest)];
    },
  };
}

/**
 * `ModelStreamError` (the container failed mid-answer: `{"Message","ErrorCode"}`) and
 * `InternalStreamFailure` (SageMaker itself) end the stream as an error.
 */
function streamEventError(event: AwsStreamEvent): UpstreamError {
  let message = event.eventType;
  let code: string = event.eventType || 'sagemaker_stream_exception';
  try {
    const body = JSON.parse(Buffer.from(event.payload).toString('utf8')) as Record<string, unknown>;
    if (typeof body.Message === 'string') message = `${event.eventType}: ${body.Message}`;
    if (typeof body.ErrorCode === 'string') code = body.ErrorCode;
  } catch {
    // No JSON body: the event type says enough.
  }
  return new UpstreamError(`sagemaker ${message}`, {
    provider: 'sagemaker',
    statusCode: event.eventType === 'InternalStreamFailure' ? 503 : 502,
    code,
  });
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
