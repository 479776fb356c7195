import { describe, expect, it } from 'vitest';
import * as sepconv from '../src/index.js';

describe('public entry', () => {
  it('runs the README example', async () => {
    const { loadKernels, Act, ops } = sepconv;
    const k = await loadKernels();
    const x = k.arena.put(new Float32Array([-1, 2, 7]));
    ops.vunary(k, { rows: 1, cols: 3, x, y: x, act: Act.relu6 });
    expect(Array.from(k.arena.read(x, 3))).toEqual([0, 2, 6]);
  });

  it('exposes a wrapper and a reference for every kernel family in the manifest', () => {
    const families = new Set(sepconv.KERNELS.map((k) => k.op));
    expect(families).toEqual(new Set(['gemm', 'gemv', 'dwconv', 'conv', 'deconv', 'pool', 'vbinary', 'vunary', 'copy', 'resize', 'softmax', 'peak']));
    for (const k of sepconv.KERNELS) {
      const fn = k.reference.split('#')[1];
      expect(typeof (sepconv.reference as Record<string, unknown>)[fn], `${k.name}: reference ${fn} exported`).toBe('function');
    }
    expect(Object.keys(sepconv.ops).length).toBeGreaterThan(30);
  });

  it('error classes are SepconvError subclasses with codes', () => {
    const e = new sepconv.ShapeError('x');
    expect(e).toBeInstanceOf(sepconv.SepconvError);
    expect(e.name).toBe('ShapeError');
    expect(e.code).toBe('E_SHAPE');
  });
});
