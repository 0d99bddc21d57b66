import { describe, expect, it } from 'vitest';
import { baseModelName, selectBedrockFamily } from './select-bedrock-family.ts';

describe('selectBedrockFamily', () => {
  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic'],
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic'],
    ['global.anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic'],
    ['meta.llama3-8b-instruct-v1:0', 'meta'],
    ['apac.meta.llama3-2-11b-instruct-v1:0', 'meta'],
    ['mistral.mistral-7b-instruct-v0:2', 'mistral'],
    ['amazon.titan-text-express-v1', 'titan'],
    ['eu.amazon.nova-micro-v1:0', 'nova'],
    ['cohere.command-r-plus-v1:0', 'cohere'],
    ['us.deepseek.r1-v1:0', 'deepseek'],
    ['deepseek.v3-v1:0', 'converse'],
    ['mistral.mixtral-8x7b-instruct-v0:1', 'mistral'],
    ['mistral.mistral-large-2402-v1:0', 'mistral'],
    ['mistral.mistral-large-2407-v1:0', 'converse'],
    ['us.mistral.pixtral-large-2502-v1:0', 'converse'],
    ['ai21.jamba-1-5-mini-v1:0', 'converse'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-1-8b-instruct-v1:0', 'meta'],
    ['arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-lite-v1', 'titan'],
    ['arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6', 'converse'],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x7y8z9', 'converse'],
  ])('%s → %s', (modelId, family) => {
    expect(selectBedrockFamily(modelId).name).toBe(family);
  });

  it('strips the ARN and the cross-region prefix', () => {
    expect(baseModelName('arn:aws:bedrock:eu-west-1:1:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0')).toBe('anthropic.claude-3-haiku-20240307-v1:0');
  });
});
