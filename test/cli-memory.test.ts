/**
 * cli/memory.ts: collections at pass boundaries happen at most every 400 ms of the clock given;
 * collections on read volume are wanted above a ceiling a command may lower.
 */
import { describe, expect, test } from 'vitest';
import { collectAtBoundary, setCollectLimits, wantsCollection } from '../cli/memory.ts';

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

describe('wantsCollection and setCollectLimits', () => {
  test('a collection is wanted above the ceiling and the slack over what was alive', () => {
    const MiB = 1 << 20;
    try {
      expect(wantsCollection(45 * MiB, 10 * MiB)).toBe(false); // under the default 48 MiB
      expect(wantsCollection(50 * MiB, 10 * MiB)).toBe(true);
      expect(wantsCollection(100 * MiB, 90 * MiB)).toBe(false); // within 12 MiB of the live set
      expect(wantsCollection(103 * MiB, 90 * MiB)).toBe(true);
      setCollectLimits(16 * MiB, 8 * MiB); // inspect's
      expect(wantsCollection(20 * MiB, 10 * MiB)).toBe(true);
      expect(wantsCollection(17 * MiB, 10 * MiB)).toBe(false);
      expect(wantsCollection(15 * MiB, 0)).toBe(false);
    } finally {
      setCollectLimits(48 * MiB, 12 * MiB);
    }
  });
});
