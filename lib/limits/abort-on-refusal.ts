/**
 * The reservation runs beside the upstream call: the seam starts both, and holds only the first
 * byte to the caller until the reservation has answered. A refusal (or a `deny` store error) must
 * stop the upstream at once, so the provider is not paid for an answer nobody gets.
 *
 * @example
 * const upstream = new AbortController();
 * const reserved = abortOnRefusal(limiter.reserve(document, subject, estimate), upstream);
 * const response = callProvider({ signal: upstream.signal });
 * const reservation = await reserved; // just before the first byte; throws the 429 on refusal
 */
export function abortOnRefusal<T>(reservation: Promise<T>, upstream: AbortController): Promise<T> {
  reservation.catch((error: unknown) => upstream.abort(error));
  return reservation;
}
