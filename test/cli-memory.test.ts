/**
 * cli/memory.ts: collections at pass boundaries happen at most every 400 ms of the clock given.
 */
import { describe, expect, test } from 'vitest';
import { collectAtBoundary } from '../cli/memory.ts';

describe('collectAtBoundary', () => {
  test('collects at the first boundary, then not again within 400 ms', () => {
    const t = 1e9; // far from any earlier call in this process
    expect(collectAtBoundary(t)).toBe(true);
    expect(collectAtBoundary(t + 1)).toBe(false);
    expect(collectAtBoundary(t + 399)).toBe(false);
    expect(collectAtBoundary(t + 400)).toBe(true);
    expect(collectAtBoundary(t + 700)).toBe(false);
    expect(collectAtBoundary(t + 800)).toBe(true);
  });
});
