/**
 * A provider with two wire formats chosen per call (DeepSeek: chat, or its FIM completions for
 * `suffix`; Hugging Face: the router's chat, or a TGI server's completions at a custom host).
 * Both halves are whole providers; this one delegates each step to the half the call chose.
 * Both halves must agree on what the gateway emulates and on the stream framing.
 */
import type { Provider, ProviderCall } from '../provider.ts';

export interface WireFormatChoice {
  name: string;
  /** Each half, named for the docs' parameter table. */
  formats: Readonly<Record<string, Provider>>;
  choose(call: ProviderCall): Provider;
  /** The base URL (the target alone decides it, before any call). */
  baseUrl: Provider['baseUrl'];
}

export function chooseWireFormat(choice: WireFormatChoice): Provider {
  const halves = Object.values(choice.formats);
  const first = halves[0]!;
  for (const half of halves) {
    if (half.emulated.n !== first.emulated.n || half.emulated.echo !== first.emulated.echo || half.streamFormat !== first.streamFormat) {
      throw new Error(`${choice.name}: its wire formats disagree on emulation or stream framing`);
    }
  }
  return {
    name: choice.name,
    streamFormat: first.streamFormat,
    streamEnd: first.streamEnd,
    // A prompt batch goes in one call only where every half takes it.
    prompts: { arrays: halves.every((half) => half.prompts.arrays), tokens: halves.every((half) => half.prompts.tokens) },
    emulated: first.emulated,
    parameterVariants: Object.fromEntries(Object.entries(choice.formats).map(([label, half]) => [label, half.parameters ?? {}])),
    selectParameters: (call) => ({ table: choice.choose(call).parameters ?? {}, label: choice.name }),
    baseUrl: choice.baseUrl,
    buildRequest: (call, mapped) => choice.choose(call).buildRequest(call, mapped),
    parseResponse: (body, call, headers) => choice.choose(call).parseResponse(body, call, headers),
    createStreamReader: (call) => choice.choose(call).createStreamReader(call),
  };
}
