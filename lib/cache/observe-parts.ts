/**
 * A pass-through view of a stream that assembles the parts as they go by and hands the whole
 * answer to `onComplete` only when the stream ended cleanly: not when it threw (an in-band error,
 * a truncated upstream) and not when its consumer stopped early (the caller left). The caller
 * sees every part at the moment it arrives; the cache costs one `add` per part.
 *
 * Observe the stream of the whole target (after fan-out merging), never one call of a fan-out.
 */
import { describeError, log } from '../log.ts';
import type { CompletionPart } from '../providers/provider.ts';
import { PartAssembler } from './assemble-parts.ts';

export function observeParts(parts: AsyncIterable<CompletionPart>, onComplete: (whole: CompletionPart) => void): AsyncIterable<CompletionPart> {
  return {
    [Symbol.asyncIterator]() {
      const inner = parts[Symbol.asyncIterator]();
      const assembler = new PartAssembler();
      // Once the stream failed, was given up or completed, nothing more is assembled or stored.
      let settled = false;
      const iterator: AsyncIterator<CompletionPart> = {
        next() {
          return inner.next().then(
            (result) => {
              if (settled) return result;
              if (!result.done) {
                assembler.add(result.value);
                return result;
              }
              settled = true;
              try {
                onComplete(assembler.result());
              } catch (error) {
                // Storing is a side effect; the caller's stream has already ended well.
                log.warn('cache observer failed', describeError(error));
              }
              return result;
            },
            (error: unknown) => {
              settled = true;
              throw error;
            },
          );
        },
        return(value?: unknown) {
          settled = true;
          return inner.return ? inner.return(value) : Promise.resolve({ done: true, value: value as CompletionPart });
        },
      };
      if (inner.throw) {
        const throwInto = inner.throw.bind(inner);
        iterator.throw = (error?: unknown) => {
          settled = true;
          return throwInto(error);
        };
      }
      return iterator;
    },
  };
}
