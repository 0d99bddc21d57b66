import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Provider } from '../../lib/providers/provider.ts';
import { describeRule, PROVIDER_DOCS_PATH, renderProviderDocs } from '../../scripts/generate-provider-docs.ts';

describe('docs/providers.md', () => {
  it('is current: regenerate it with `npm run docs:providers`', () => {
    expect(readFileSync(PROVIDER_DOCS_PATH, 'utf8')).toBe(renderProviderDocs());
  });

  it('describes every kind of rule', () => {
    expect(describeRule({})).toBe('passed');
    expect(describeRule(undefined)).toBe('dropped');
    expect(describeRule('emulated')).toBe('emulated');
    expect(describeRule({ to: 'stop_sequences' })).toBe('renamed → `stop_sequences`');
    expect(describeRule({ to: 'temperature', range: [0, 1] })).toBe('renamed → `temperature`, clamped to 0..1');
    expect(describeRule({ to: 'max_tokens', default: 16 })).toBe('renamed → `max_tokens`, default 16');
  });

  it('lists a provider without a table as not declared, and its prompt support', () => {
    const bare = { name: 'bare', streamFormat: 'sse', prompts: { arrays: false, tokens: false } } as unknown as Provider;
    const markdown = renderProviderDocs({ bare });
    expect(markdown).toContain('| `bare` | emulated (one call per prompt) | refused (400) | not declared |');
  });
});
