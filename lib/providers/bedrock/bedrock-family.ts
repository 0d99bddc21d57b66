/**
 * What one Bedrock model family declares: which API it is called through, its parameter
 * table, how the prompt becomes its body, and pure readers of its response and stream chunks.
 * The provider (bedrock-provider.ts) does the rest the same way for every family.
 */
import type { FinishReason } from '../../api/completion-response.ts';
import { mapFinishReason, type FinishReasonTable } from '../map-finish-reason.ts';
import type { ParameterTable } from '../map-parameters.ts';

/** Token counts as a family reports them; either may be missing. */
export interface FamilyUsage {
  inputTokens?: number | null | undefined;
  outputTokens?: number | null | undefined;
}

/** What a family reads from a whole response. */
export interface FamilyOutput {
  text: string;
  /** The family's own word (`end_turn`, `FINISH`, `COMPLETE`...), mapped through `finishReasons`. */
  stopReason: string | null | undefined;
  usage?: FamilyUsage | undefined;
}

/** What a family reads from one stream chunk: any of a text delta, the stop reason, counts. */
export interface FamilyChunk {
  text?: string | null | undefined;
  stopReason?: string | null | undefined;
  usage?: FamilyUsage | undefined;
}

export interface BedrockFamily {
  readonly name: string;
  /** `invoke`: InvokeModel(+WithResponseStream) with the family's native body; `converse`: the Converse API. */
  readonly api: 'invoke' | 'converse';
  readonly parameters: ParameterTable;
  /** The native body from the prompt and the mapped parameters (`mapParameters` output). */
  buildBody(prompt: string, mapped: Record<string, unknown>): Record<string, unknown>;
  /** @throws UpstreamError (502) for a body of an unexpected shape. */
  parseResponse(json: unknown): FamilyOutput;
  /** One decoded chunk (InvokeModel: the base64 `bytes` JSON; Converse: `{[eventType]: payload}`). */
  parseChunk(json: unknown): FamilyChunk;
  /** The family's stop reasons in OpenAI terms; an unknown reason is a natural stop, logged once. */
  readonly finishReasons: FinishReasonTable;
}


/** Maps a family's stop reason; `null` while the model has not stopped; an unknown one is logged once. */
export function mapFamilyFinishReason(family: BedrockFamily, reason: string | null | undefined): FinishReason | null {
  return mapFinishReason(`bedrock ${family.name}`, family.finishReasons, reason);
}
