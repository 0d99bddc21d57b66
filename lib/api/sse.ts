/** The one place that writes server-sent events to the caller. Providers never see SSE text. */

export const SSE_DONE = 'data: [DONE]\n\n';

/** `data: {json}\n\n` for one event. */
export function encodeSseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}
