/**
 * What the function may invoke on Bedrock (issues 6 and 11): the listed foundation models and
 * inference profiles, with `InvokeModel` and `InvokeModelWithResponseStream` only, and only from
 * the allowed regions (`bedrockRegions`), never `*` on everything.
 *
 * The caller picks the region (`aws_region`), so the region is part of the grant: a model is
 * invokable directly only in an allowed region. A cross-region inference profile, called in an
 * allowed region, routes to the same model in regions Bedrock chooses, and IAM checks the model
 * there too; those model grants carry the condition `bedrock:InferenceProfileArn` (absent on a
 * direct call), so they open no region to a direct call.
 *
 * An entry of `bedrockModels` is one of:
 * - a foundation-model id or family pattern (`anthropic.claude-*`, `amazon.nova-lite-v1:0`):
 *   invokable directly in each allowed region;
 * - a cross-region inference-profile id (`us.anthropic.claude-*`, `global.…`): the profile in each
 *   allowed region, plus the model behind it in any region through that profile only;
 * - a full ARN (application inference profile, provisioned throughput, a profile in another
 *   account): granted as given; its region must be allowed, and an inference profile among them
 *   may reach the listed models in any region, as a system profile does.
 *
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/cross-region-inference.html
 */
import { Stack, Token } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledge-findings.ts';

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
  /** The models the entries name themselves, invokable directly. */
  directModels: string[];
  /** Those, and the models behind the inference profiles. */
  foundationModels: string[];
  inferenceProfiles: string[];
  arns: string[];
}

/** Sorts the entries into the three kinds of resource and validates each; see the module comment. */
export function classifyBedrockModels(models: readonly string[]): BedrockResources {
  const resources: BedrockResources = { directModels: [], foundationModels: [], inferenceProfiles: [], arns: [] };
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
      resources.directModels.push(entry);
      resources.foundationModels.push(entry);
    }
  }
  return {
    directModels: [...new Set(resources.directModels)],
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

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`: no wildcards, no partition. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** The region of a Bedrock ARN, or undefined for none (`arn:aws:bedrock::…`) or a token. */
function arnRegion(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region === undefined || region === '' || Token.isUnresolved(region) ? undefined : region;
}

/**
 * The regions the gateway may call Bedrock in: the given list, or by default the stack's own
 * region and the regions of the listed ARNs (an ARN is invoked in its own region).
 *
 * @example allowedBedrockRegions(stack, ['us.anthropic.claude-*']) // ['eu-west-1'] for a stack in eu-west-1
 */
export function allowedBedrockRegions(stack: Stack, models: readonly string[], regions?: readonly string[]): string[] {
  const { arns } = classifyBedrockModels(models);
  const allowed = [...new Set(regions ?? [stack.region, ...arns.map(arnRegion).filter((region) => region !== undefined)])];
  if (allowed.length === 0) {
    throw new Error('bedrockRegions must name at least one region; to turn Bedrock off, set bedrockModels to [].');
  }
  for (const region of allowed) {
    if (!Token.isUnresolved(region) && !REGION.test(region)) {
      throw new Error(`bedrockRegions entry "${region}" is not an AWS region name like "us-east-1".`);
    }
  }
  for (const arn of arns) {
    const region = arnRegion(arn);
    if (region !== undefined && !allowed.includes(region)) {
      throw new Error(`bedrockModels entry "${arn}" is in ${region}, which is not one of bedrockRegions (${allowed.join(', ')}).`);
    }
  }
  return allowed;
}

export interface BedrockGrant {
  /** Invokable as such: models in the allowed regions, profiles in the allowed regions, the ARNs. */
  direct: string[];
  /** The models behind the profiles, in any region, each usable only through one of `throughProfiles`. */
  behindProfiles: string[];
  /** The inference profiles (system ones in the allowed regions, and listed profile ARNs). */
  throughProfiles: string[];
}

/** The resource ARNs for the entries, in the stack's partition and account and the allowed regions. */
export function bedrockGrant(stack: Stack, models: readonly string[], regions: readonly string[]): BedrockGrant {
  const { directModels, foundationModels, inferenceProfiles, arns } = classifyBedrockModels(models);
  const { partition, account } = stack;
  const systemProfiles = regions.flatMap((region) => inferenceProfiles.map((id) => `arn:${partition}:bedrock:${region}:${account}:inference-profile/${id}`));
  const throughProfiles = [...systemProfiles, ...arns.filter((arn) => /:(?:application-)?inference-profile\//.test(arn))];
  return {
    direct: [
      ...regions.flatMap((region) => directModels.map((id) => `arn:${partition}:bedrock:${region}::foundation-model/${id}`)),
      ...systemProfiles,
      ...arns,
    ],
    // Region `*`: a profile's destination regions are Bedrock's choice (a `global.` one, any).
    behindProfiles: throughProfiles.length === 0 ? [] : foundationModels.map((id) => `arn:${partition}:bedrock:*::foundation-model/${id}`),
    throughProfiles,
  };
}

/**
 * Adds the Bedrock invoke statements to the grantee's policy (none when the list is empty) and
 * acknowledges the wildcard resources this grant is made of, with the reason.
 */
export function grantBedrockAccess(grantee: IGrantable & IConstruct, models: readonly string[], regions: readonly string[]): void {
  if (models.length === 0) return;
  const grant = bedrockGrant(Stack.of(grantee), models, regions);
  const actions = [...BEDROCK_INVOKE_ACTIONS];
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ sid: 'InvokeBedrockModels', actions, resources: grant.direct }));
  acknowledgeWildcardResources(
    grantee,
    grant.direct,
    'The model ids and inference profiles of the stack prop bedrockModels: a `*` only after a vendor name (one model family, ' +
      'e.g. anthropic.claude-*), only in the regions of bedrockRegions, and only the two invoke actions.',
  );
  if (grant.behindProfiles.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'InvokeBedrockModelsThroughProfiles',
      actions,
      resources: grant.behindProfiles,
      // Present only when the call went through one of these profiles: a direct call in another region is not allowed.
      conditions: { StringLike: { 'bedrock:InferenceProfileArn': grant.throughProfiles } },
    }),
  );
  acknowledgeWildcardResources(
    grantee,
    grant.behindProfiles,
    'The models behind the listed inference profiles, in every region because Bedrock picks the destination region of a ' +
      'cross-region profile; the statement holds only for calls through one of those profiles (condition bedrock:InferenceProfileArn).',
  );
}
