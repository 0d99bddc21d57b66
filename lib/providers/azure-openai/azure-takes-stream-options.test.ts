import { describe, expect, it } from 'vitest';
import { azureTakesStreamOptions } from './azure-takes-stream-options.ts';

describe('azureTakesStreamOptions', () => {
  it.each([
    ['2023-05-15', false],
    ['2024-02-01', false],
    ['2024-06-01', false],
    ['2024-10-21', true],
    ['2025-04-01', true],
    ['2024-08-01-preview', false],
    ['2024-09-01-preview', true],
    ['2025-04-01-preview', true],
    ['v1', true],
    ['preview', true],
  ])('api-version %s → %s', (version, expected) => {
    expect(azureTakesStreamOptions(version)).toBe(expected);
  });
});
