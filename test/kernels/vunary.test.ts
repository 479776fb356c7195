import { describe, expect, it } from 'vitest';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import { vunary } from '../../src/kernels/vunary.js';
import { refVunary } from '../../src/reference/vunary.js';
import { ShapeError, BufferError } from '../../src/errors.js';
import { VARIANTS, expectClose, kernelsFor, randomArray, rng } from '../helpers/kernels.js';

describe.each(VARIANTS)('f32-vunary-x8 (%s build)', (variant) => {
  const shapes: Array<[number, number, number, number]> = [
    // rows, cols, xStride, yStride
    [1, 1, 1, 1],
    [1, 3, 3, 3],
    [3, 5, 7, 5],
    [2, 17, 17, 20],
    [7, 33, 40, 33],
    [4, 8, 8, 8],
  ];
  for (const act of ACT_NAMES) {
    it(`${act} matches the reference on awkward shapes (tolerance 1e-5 of max|ref|)`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(42);
      for (const [rows, cols, xs, ys] of shapes) {
        k.arena.reset();
        const xn = (rows - 1) * xs + cols;
        const yn = (rows - 1) * ys + cols;
        const x = randomArray(xn, rand, -8, 8);
        const xp = k.arena.put(x);
        const yp = k.arena.allocAtEnd(yn * 4); // output ends right before the spare bytes
        const sentinel = randomArray(yn, rand);
        k.arena.write(yp, sentinel);
        vunary(k, { rows, cols, x: xp, xStride: xs, y: yp, yStride: ys, act: Act[act] as ActCode });
        const want = sentinel.slice();
        refVunary(rows, cols, x, xs, want, ys, Act[act] as ActCode);
        expectClose(k.arena.read(yp, yn), want, `${act} ${rows}x${cols} strides ${xs}/${ys}`);
      }
    });
  }

  it('works in place', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const x = randomArray(13, rng(1), -5, 5);
    const p = k.arena.put(x);
    vunary(k, { rows: 1, cols: 13, x: p, y: p, act: Act.relu6 });
    const want = new Float32Array(13);
    refVunary(1, 13, x, 13, want, 13, Act.relu6);
    expectClose(k.arena.read(p, 13), want, 'in place');
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const p = k.arena.allocF32(16);
    expect(() => vunary(k, { rows: 1, cols: 4, x: p, y: p, act: 9 as ActCode })).toThrow(ShapeError);
    expect(() => vunary(k, { rows: -1, cols: 4, x: p, y: p, act: 0 })).toThrow(/'rows' = -1/);
    expect(() => vunary(k, { rows: 2, cols: 4, xStride: 3, x: p, y: p, act: 0 })).toThrow(/xStride/);
    expect(() => vunary(k, { rows: 1, cols: 4, x: 0, y: p, act: 0 })).toThrow(BufferError);
    expect(() => vunary(k, { rows: 1, cols: 1 << 28, x: p, y: p, act: 0 })).toThrow(/spans bytes/);
  });
});
