/**
 * Builds a value on first use, then returns the same value. Zod schemas are built this way:
 * every `z.object(...)` constructs its checks when called, and a provider's or the key store's
 * schemas built at import are cold start paid by every container, although a container mostly
 * serves one provider and many never read a virtual key.
 *
 * Only worth it for what the first request may not need: a schema every request parses costs the
 * same at import as on first use (the completion request's is lazy because its common form is
 * checked in plain code and never reaches zod).
 *
 * @example
 * const schemas = lazy(() => ({ response: z.object({ id: z.string() }) }));
 * schemas().response.parse(json);
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
