import { describe, expect, it } from 'vitest';
import { planArena, type TensorLifetime } from '../../src/plan/arena.js';
import { rng, randInt } from '../helpers/kernels.js';

/** Independent check: no two tensors that are live at the same step share bytes (aliases excepted). */
function assertNoConflicts(ts: TensorLifetime[], offsets: Map<string, number>, peak: number): void {
  const rootOf = (t: TensorLifetime): string => {
    let c = t;
    while (c.alias) c = ts.find((x) => x.name === c.alias!.of)!;
    return c.name;
  };
  for (const a of ts) {
    const oa = offsets.get(a.name)!;
    expect(oa + a.bytes).toBeLessThanOrEqual(peak);
    for (const b of ts) {
      if (a === b || rootOf(a) === rootOf(b)) continue;
      const ob = offsets.get(b.name)!;
      const timeOverlap = a.first <= b.last && b.first <= a.last;
      const spaceOverlap = oa < ob + b.bytes && ob < oa + a.bytes;
      expect(timeOverlap && spaceOverlap, `${a.name} and ${b.name} collide`).toBe(false);
    }
  }
}

describe('planArena', () => {
  it('reuses memory of dead tensors in a chain (peak = two largest neighbours)', () => {
    // x0 -> x1 -> x2 -> x3, each read only by the next step
    const ts: TensorLifetime[] = [
      { name: 'x0', bytes: 1024, first: 0, last: 1 },
      { name: 'x1', bytes: 4096, first: 1, last: 2 },
      { name: 'x2', bytes: 1024, first: 2, last: 3 },
      { name: 'x3', bytes: 512, first: 3, last: 3 },
    ];
    const p = planArena(ts);
    expect(p.naiveBytes).toBe(1024 + 4096 + 1024 + 512);
    expect(p.peakBytes).toBe(4096 + 1024);
    assertNoConflicts(ts, p.offsets, p.peakBytes);
  });

  it('keeps a residual input alive across the block', () => {
    const ts: TensorLifetime[] = [
      { name: 'in', bytes: 256, first: 0, last: 3 }, // read again by the add at step 3
      { name: 'expand', bytes: 1536, first: 1, last: 2 },
      { name: 'dw', bytes: 1536, first: 2, last: 3 },
      { name: 'out', bytes: 256, first: 3, last: 4 },
    ];
    const p = planArena(ts);
    assertNoConflicts(ts, p.offsets, p.peakBytes);
    expect(p.peakBytes).toBe(256 + 1536 + 1536);
  });

  it('places aliases (in-place ops, concat slices) inside their root', () => {
    const ts: TensorLifetime[] = [
      { name: 'cat', bytes: 1024, first: 2, last: 3 },
      { name: 'a', bytes: 512, first: 0, last: 2, alias: { of: 'cat', byteOffset: 0 } },
      { name: 'b', bytes: 512, first: 1, last: 2, alias: { of: 'cat', byteOffset: 512 } },
      { name: 'relu', bytes: 1024, first: 3, last: 4, alias: { of: 'cat', byteOffset: 0 } },
    ];
    const p = planArena(ts);
    expect(p.offsets.get('b')! - p.offsets.get('a')!).toBe(512);
    expect(p.offsets.get('relu')).toBe(p.offsets.get('cat'));
    expect(p.peakBytes).toBe(1024);
    expect(p.naiveBytes).toBe(1024);
  });

  it('never overlaps live tensors on random lifetimes', () => {
    const rand = rng(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = randInt(rand, 1, 30);
      const ts: TensorLifetime[] = [];
      for (let i = 0; i < n; i++) {
        const first = randInt(rand, 0, 20);
        ts.push({ name: `t${i}`, bytes: randInt(rand, 1, 5000), first, last: first + randInt(rand, 0, 6) });
      }
      const p = planArena(ts);
      assertNoConflicts(ts, p.offsets, p.peakBytes);
      expect(p.peakBytes).toBeLessThanOrEqual(p.naiveBytes);
      for (const o of p.offsets.values()) expect(o % 64).toBe(0);
    }
  });
});
