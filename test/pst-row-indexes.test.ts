/**
 * A table's row indexes are kept as a count while they run 0, 1, 2, ... in row-id order, and as
 * values from the first one that does not; either way they read back as pushed.
 */
import { describe, expect, test } from 'vitest';
import { RowIndexes } from '../worker/pst/ltp/tc.ts';

describe('RowIndexes', () => {
  test('0, 1, 2, ... is kept as a count', () => {
    const r = new RowIndexes();
    for (let i = 0; i < 100_000; i++) r.push(i);
    expect(r.identity).toBe(true);
    expect(r.length).toBe(100_000);
    expect([r.at(0), r.at(1), r.at(99_999)]).toEqual([0, 1, 99_999]);
  });

  test('any other order is stored from the first index out of step', () => {
    const values = [0, 1, 2, 7, 3, 3, 0xffffffff, 4];
    const r = new RowIndexes();
    for (const v of values) r.push(v);
    expect(r.identity).toBe(false);
    expect(r.length).toBe(values.length);
    expect(values.map((_, i) => r.at(i))).toEqual(values);
    const first = new RowIndexes();
    first.push(5);
    expect([first.identity, first.length, first.at(0)]).toEqual([false, 1, 5]);
  });
});
