import { describe, it } from 'vitest';
import { peak } from '../../src/kernels/peak.js';
import { refPeak } from '../../src/reference/peak.js';
import { VARIANTS, expectClose, kernelsFor } from '../helpers/kernels.js';

describe.each(VARIANTS)('f32-peak-12x4 (%s build)', (variant) => {
  it('computes the same chains as the reference', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const a = new Float32Array([0.5, -1, 2, 0.25]);
    const m = new Float32Array([0.9, 0.5, -0.75, 1]);
    const c = new Float32Array([0.1, 0.2, -0.3, 0.001]);
    for (const iters of [0, 1, 7, 100]) {
      const io = k.arena.put([...a, ...m, ...c]);
      peak(k, iters, io);
      expectClose(k.arena.read(io, 4), refPeak(iters, a, m, c), `iters ${iters}`, 1e-5);
    }
  });
});
