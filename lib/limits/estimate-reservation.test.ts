import { describe, expect, test } from 'vitest';
import { estimateReservation } from './estimate-reservation.ts';

describe('estimateReservation', () => {
  test('reserves the prompt plus max_tokens for every choice of every prompt', () => {
    expect(estimateReservation({ promptTokens: 10, maxTokens: 100, n: 2, promptCount: 3 }).tokens).toBe(10 + 100 * 2 * 3);
  });

  test('counts best_of choices, which are generated even when fewer are returned', () => {
    expect(estimateReservation({ promptTokens: 5, maxTokens: 50, n: 1, bestOf: 4 }).tokens).toBe(205);
  });

  test("uses OpenAI's default of 16 tokens when max_tokens is not set", () => {
    expect(estimateReservation({ promptTokens: 4 }).tokens).toBe(20);
  });

  test('prices the estimate when a price is known, and says null when not', () => {
    const price = (prompt: number, completion: number) => (prompt * 1 + completion * 2) / 1e6;
    expect(estimateReservation({ promptTokens: 1000, maxTokens: 500, price }).costUsd).toBeCloseTo(0.002, 10);
    expect(estimateReservation({ promptTokens: 1000, maxTokens: 500, price: () => null }).costUsd).toBeNull();
    expect(estimateReservation({ promptTokens: 1000 }).costUsd).toBeNull();
  });
});
