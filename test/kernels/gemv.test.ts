import { describe, expect, it } from 'vitest';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import { gemv, packGemvWeights, packedGemvSize } from '../../src/kernels/gemv.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { refGemv } from '../../src/reference/gemv.js';
import { BufferError, ShapeError } from '../../src/errors.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance everywhere: max |diff| <= 1e-5 * max |reference output| (REL_TOL of expectClose).

const ACTS = ACT_NAMES.map((a) => Act[a] as ActCode);
const SIZES = [1, 3, 5, 7, 17, 33, 96, 144];

/** Output at the very end of memory with `trail` sentinel floats after it (must stay untouched). */
function runCase(k: Kernels, n: number, kk: number, act: ActCode, bias: boolean, trail: number, rand: () => number): void {
  k.arena.reset();
  const X = randomArray(kk, rand, -1, 1);
  const W = randomArray(n * kk, rand, -1, 1);
  const B = bias ? randomArray(n, rand) : null;
  const xPtr = k.arena.put(X);
  const wPtr = k.arena.put(packGemvWeights(W, B, n, kk));
  const len = n + trail;
  const yPtr = k.arena.allocAtEnd(len * 4);
  const sentinel = randomArray(len, rand, 50, 60);
  k.arena.write(yPtr, sentinel);
  gemv(k, { n, k: kk, x: xPtr, w: wPtr, y: yPtr, act });
  const want = sentinel.slice();
  refGemv(n, kk, X, W, B, want, act);
  // The error is the k-term sum's rounding, passed through the activation: measure it against
  // the pre-activation magnitude when that is larger (tanh / sigmoid squash large sums to ~1).
  const linear = sentinel.slice();
  refGemv(n, kk, X, W, B, linear, Act.linear);
  const maxAbs = (a: Float32Array) => a.subarray(0, n).reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
  const rel = 1e-5 * Math.max(1, maxAbs(linear) / maxAbs(want));
  expectClose(k.arena.read(yPtr, len), want, `gemv n=${n} k=${kk} act=${ACT_NAMES[act]} bias=${bias} trail=${trail}`, rel);
}

describe.each(VARIANTS)('f32-gemv-1x16 (%s build)', (variant) => {
  it(`grid n x k (${SIZES.length ** 2} shapes), output at the end of memory`, async () => {
    const k = await kernelsFor(variant);
    const rand = rng(31);
    let idx = 0;
    for (const n of SIZES) for (const kk of SIZES) runCase(k, n, kk, ACTS[idx % ACTS.length], idx++ % 5 !== 2, idx % 3, rand);
  });

  it('every activation on the MobileNet head shapes (1280->1000, 1024->1000, 576->1024)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(32);
    for (const act of ACTS) for (const [kk, n] of [[1280, 1000], [1024, 1000], [576, 1024]]) runCase(k, n, kk, act, true, 0, rand);
  });

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(33);
    for (let d = 0; d < 100; d++) {
      runCase(k, randInt(rand, 1, 300), randInt(rand, 1, 400), ACTS[randInt(rand, 0, ACTS.length - 1)], rand() < 0.8, randInt(rand, 0, 3), rand);
    }
  });

  it('rejects bad arguments with typed errors naming the argument', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const x = k.arena.allocF32(8);
    const w = k.arena.allocF32(packedGemvSize(4, 8));
    const y = k.arena.allocF32(4);
    const ok = { n: 4, k: 8, x, w, y, act: Act.relu as ActCode };
    expect(() => gemv(k, ok)).not.toThrow();
    expect(() => gemv(k, { ...ok, n: -2 })).toThrow(/'n' = -2/);
    expect(() => gemv(k, { ...ok, k: 1.5 })).toThrow(ShapeError);
    expect(() => gemv(k, { ...ok, act: 12 as ActCode })).toThrow(/activation code 12/);
    expect(() => gemv(k, { ...ok, x: 12 })).toThrow(BufferError);
    expect(() => gemv(k, { ...ok, k: 1 << 26 })).toThrow(/spans bytes/);
    expect(() => gemv(k, { ...ok, y: x + 4 })).toThrow(/overlaps input 'x'/);
    expect(() => gemv(k, { ...ok, y: w + 16 })).toThrow(/overlaps the packed weights/);
    expect(() => packGemvWeights([1, 2, 3], null, 2, 2)).toThrow(ShapeError);
  });
});
