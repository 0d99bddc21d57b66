/**
 * What the function may invoke on Bedrock (issue 6): the listed foundation models and inference
 * profiles, with `InvokeModel` and `InvokeModelWithResponseStream` only — never `*` on everything.
 *
 * An entry is one of:
 * - a foundation-model id or family pattern (`anthropic.claude-*`, `amazon.nova-lite-v1:0`):
 *   granted in every region, because a cross-region inference profile routes to the same model in
 *   other regions and IAM checks the foundation model there too;
 * - a cross-region inference-profile id (`us.anthropic.claude-*`, `global.…`): granted on the
 *   profile in this stack's region and account, plus the foundation model behind it in every region;
 * - a full ARN (application inference profile, provisioned throughput, a profile in another
 *   account): granted as given.
 *
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/cross-region-inference.html
 */
import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** The geography prefixes of system-defined cross-region inference profiles. */
export const INFERENCE_PROFILE_PREFIXES = ['us', 'eu', 'apac', 'global'] as const;

/** The text-model families the gateway speaks (issue 6); `*` only ever inside one family. */
export const DEFAULT_BEDROCK_MODEL_FAMILIES = [
  'anthropic.claude-*',
  'meta.llama*',
  'mistral.*',
  'amazon.nova-*',
  'amazon.titan-text-*',
  'cohere.command-r*',
  'deepseek.*',
] as const;

/** The default `bedrockModels`: every family, directly and through each geography's profiles. */
export const DEFAULT_BEDROCK_MODELS: readonly string[] = [
  ...DEFAULT_BEDROCK_MODEL_FAMILIES,
  ...INFERENCE_PROFILE_PREFIXES.flatMap((prefix) => DEFAULT_BEDROCK_MODEL_FAMILIES.map((family) => `${prefix}.${family}`)),
];

/** Converse and ConverseStream (the fallback for other models) are authorized by these same two. */
export const BEDROCK_INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;

/** `vendor.model…`: a vendor name, a dot, then something; `*` may not stand for the vendor. */
const MODEL_ID = /^[a-z0-9-]+\.[A-Za-z0-9._:*-]+$/;
const PROFILE_PREFIX = new RegExp(`^(?:${INFERENCE_PROFILE_PREFIXES.join('|')})\\.`);

export interface BedrockResources {
  foundationModels: string[];
  inferenceProfiles: string[];
  arns: string[];
}

/** Sorts the entries into the three kinds of resource and validates each; see the module comment. */
export function classifyBedrockModels(models: readonly string[]): BedrockResources {
  const resources: BedrockResources = { foundationModels: [], inferenceProfiles: [], arns: [] };
  for (const entry of models) {
    if (entry.startsWith('arn:')) {
      if (!/^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:[a-z-]+\/.+$/.test(entry)) {
        throw new Error(`bedrockModels entry "${entry}" is not a Bedrock resource ARN.`);
      }
      resources.arns.push(entry);
    } else if (PROFILE_PREFIX.test(entry)) {
      const modelId = entry.replace(PROFILE_PREFIX, '');
      assertModelId(entry, modelId);
      resources.inferenceProfiles.push(entry);
      resources.foundationModels.push(modelId);
    } else {
      assertModelId(entry, entry);
      resources.foundationModels.push(entry);
    }
  }
  return {
    foundationModels: [...new Set(resources.foundationModels)],
    inferenceProfiles: [...new Set(resources.inferenceProfiles)],
    arns: [...new Set(resources.arns)],
  };
}

function assertModelId(entry: string, modelId: string): void {
  if (!MODEL_ID.test(modelId)) {
    throw new Error(
      `bedrockModels entry "${entry}" must be a model id like "anthropic.claude-3-haiku-20240307-v1:0" ` +
        '(a `*` only after the vendor name, e.g. "anthropic.claude-*"), an inference-profile id or an ARN.',
    );
  }
}

/** The resource ARNs for the entries, in the stack's partition, region and account. */
export function bedrockResourceArns(stack: Stack, models: readonly string[]): string[] {
  if (models.length === 0) return [];
  const { foundationModels, inferenceProfiles, arns } = classifyBedrockModels(models);
  return [
    // Foundation models have no account; region `*` because profiles route across regions.
    ...foundationModels.map((id) => `arn:${stack.partition}:bedrock:*::foundation-model/${id}`),
    ...inferenceProfiles.map((id) => `arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:inference-profile/${id}`),
    ...arns,
  ];
}

/** Adds the Bedrock invoke statement to the grantee's policy; no statement when the list is empty. */
export function grantBedrockAccess(grantee: IGrantable & IConstruct, models: readonly string[]): void {
  const resources = bedrockResourceArns(Stack.of(grantee), models);
  if (resources.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ sid: 'InvokeBedrockModels', actions: [...BEDROCK_INVOKE_ACTIONS], resources }),
  );
}
