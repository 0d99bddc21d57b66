/**
 * Chooses a model family from a Bedrock model id. Cross-region inference profiles prefix the
 * id (`us.`, `eu.`, `apac.`, `global.`); ARNs of foundation models and inference profiles end
 * in the id after `/`; anything unrecognised, an opaque provisioned-throughput or application
 * profile ARN included, goes through Converse, which every text model speaks.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html (the Mistral models of that body)
 */
import { lazy } from '../../api/lazy.ts';
import { bedrockAnthropic } from './bedrock-anthropic.ts';
import { bedrockCohere } from './bedrock-cohere.ts';
import { bedrockConverse } from './bedrock-converse.ts';
import { bedrockDeepSeek } from './bedrock-deepseek.ts';
import type { BedrockFamily } from './bedrock-family.ts';
import { bedrockMeta } from './bedrock-meta.ts';
import { bedrockMistral } from './bedrock-mistral.ts';
import { bedrockNova } from './bedrock-nova.ts';
import { bedrockTitan } from './bedrock-titan.ts';

/** Checked in order: the first prefix that matches wins. */
const FAMILIES_BY_PREFIX: ReadonlyArray<readonly [prefix: string, family: BedrockFamily]> = [
  ['anthropic.', bedrockAnthropic],
  ['meta.', bedrockMeta],
  // Only these take the text-completion body; later Mistral models (Large 2, Pixtral) are chat-only.
  ['mistral.mistral-7b-instruct', bedrockMistral],
  ['mistral.mixtral-8x7b-instruct', bedrockMistral],
  ['mistral.mistral-large-2402', bedrockMistral],
  ['mistral.mistral-small-2402', bedrockMistral],
  ['amazon.titan-text', bedrockTitan],
  ['amazon.nova', bedrockNova],
  ['cohere.command-r', bedrockCohere],
  // R1 takes a raw prompt; the later DeepSeek models speak Converse.
  ['deepseek.r1', bedrockDeepSeek],
];

const REGION_PREFIX = /^(?:us|us-gov|eu|apac|global|jp|au|ca)\./;

/**
 * The base model name inside a model id, inference-profile prefix and ARN stripped.
 * @example baseModelName('arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0')
 * // 'anthropic.claude-3-5-haiku-20241022-v1:0'
 */
export function baseModelName(modelId: string): string {
  let name = modelId.trim();
  if (name.startsWith('arn:')) name = name.slice(name.lastIndexOf('/') + 1);
  return name.replace(REGION_PREFIX, '');
}

export function selectBedrockFamily(modelId: string): BedrockFamily {
  const name = baseModelName(modelId);
  for (const [prefix, family] of FAMILIES_BY_PREFIX) if (name.startsWith(prefix)) return family;
  return bedrockConverse;
}

/** Each family's parameter table by the model ids it covers, for the provider matrix (docs only: built on first use). */
export const bedrockParameterVariants = lazy(listParameterVariants);

function listParameterVariants(): Readonly<Record<string, BedrockFamily['parameters']>> {
  const firstOfEachFamily = FAMILIES_BY_PREFIX.filter(([, family], position) => FAMILIES_BY_PREFIX.findIndex(([, first]) => first === family) === position);
  return Object.fromEntries([
    ...firstOfEachFamily.map(
      ([, family]) =>
        [
          FAMILIES_BY_PREFIX.filter(([, each]) => each === family)
            .map(([prefix]) => `${prefix}${prefix.endsWith('.') ? '' : '*'}`.replace(/\.$/, '.*'))
            .join(', '),
          family.parameters,
        ] as const,
    ),
    ['other models (Converse API)', bedrockConverse.parameters] as const,
  ]);
}
