/**
 * The engine's bounds, read once per container from the environment like every other setting.
 * Each bounds what one caller's request can make the gateway spend: upstream calls, and memory
 * for what an upstream sends back.
 *
 * - `GATEWAY_MAX_FAN_OUT` (default 128): the most completions one request may ask for, prompts ×
 *   max(n, best_of). OpenAI's own ceiling for `n` is 128; a prompt array multiplies it, and where
 *   the gateway emulates `n` or prompt arrays each completion is an upstream call.
 * - `GATEWAY_MAX_UPSTREAM_BODY_BYTES` (default 16 MiB): a non-streaming upstream answer.
 * - `GATEWAY_MAX_STREAM_EVENT_BYTES` (default 1 MiB): one SSE line or event (or AWS event-stream
 *   frame) of a streaming upstream answer; a real one is a few hundred bytes.
 */
export interface EngineSettings {
  maxFanOut: number;
  maxUpstreamBodyBytes: number;
  maxStreamEventBytes: number;
}

export const DEFAULT_ENGINE_SETTINGS: Readonly<EngineSettings> = {
  maxFanOut: 128,
  maxUpstreamBodyBytes: 16 * 1024 * 1024,
  maxStreamEventBytes: 1024 * 1024,
};

export function engineSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineSettings {
  return {
    maxFanOut: positiveInteger(env.GATEWAY_MAX_FAN_OUT, DEFAULT_ENGINE_SETTINGS.maxFanOut),
    maxUpstreamBodyBytes: positiveInteger(env.GATEWAY_MAX_UPSTREAM_BODY_BYTES, DEFAULT_ENGINE_SETTINGS.maxUpstreamBodyBytes),
    maxStreamEventBytes: positiveInteger(env.GATEWAY_MAX_STREAM_EVENT_BYTES, DEFAULT_ENGINE_SETTINGS.maxStreamEventBytes),
  };
}

/** The settings of this process (a Lambda container): read at first import. */
export const engineSettings: Readonly<EngineSettings> = engineSettingsFromEnv();

function positiveInteger(value: string | undefined, fallback: number): number {
  const number = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isSafeInteger(number) && number > 0 ? number : fallback;
}
