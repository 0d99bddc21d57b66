import { describe, expect, test } from 'vitest';
import { providerNames } from '../providers/provider-lookup.ts';
import { PRICE_TABLE_PROVIDERS, toPriceTableKey } from './price-table-ids.ts';

describe('toPriceTableKey', () => {
  test('every provider the gateway speaks has a decided mapping (a new provider must choose one)', () => {
    expect(Object.keys(PRICE_TABLE_PROVIDERS).sort()).toEqual([...providerNames].sort());
  });

  test.each([
    ['openai', 'gpt-4o-mini', { provider: 'openai', model: 'gpt-4o-mini' }],
    ['azure-openai', 'gpt-35-turbo-instruct', { provider: 'azure', model: 'gpt-3.5-turbo-instruct' }],
    ['google', 'models/gemini-2.0-flash', { provider: 'google', model: 'gemini-2.0-flash' }],
    ['mistral-ai', 'codestral-latest', { provider: 'mistral', model: 'codestral-latest' }],
    ['bedrock', 'us.anthropic.claude-3-haiku-20240307-v1:0', { provider: 'aws', model: 'us.anthropic.claude-3-haiku-20240307-v1:0' }],
    ['bedrock', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0', { provider: 'aws', model: 'us.anthropic.claude-3-haiku-20240307-v1:0' }],
    ['bedrock', 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-lite-v1', { provider: 'aws', model: 'amazon.titan-text-lite-v1' }],
    ['bedrock', 'arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/meta.llama3-8b-instruct-v1:0', { provider: 'aws', model: 'meta.llama3-8b-instruct-v1:0' }],
    ['bedrock', 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3', null],
    ['ollama', 'llama3.1', null],
    ['vllm', 'anything', null],
    ['deepinfra', 'meta-llama/Meta-Llama-3.1-8B-Instruct', null],
    ['openai', '   ', null],
    ['constructor', 'gpt-4o-mini', null],
  ])('%s %s', (provider, model, expected) => {
    expect(toPriceTableKey(provider, model)).toEqual(expected);
  });
});
