import { describe, expect, it } from 'vitest';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import {
  GEMM_TILES, gemm, gemmTileShape, packGemmWeights, packGroupedPointwise, packedGemmSize, pointwiseConv,
  selectGemmTile, stridedOverlap,
} from '../../src/kernels/gemm.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { refGemm, refGroupedPointwise } from '../../src/reference/gemm.js';
import { BufferError, ShapeError } from '../../src/errors.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance everywhere: max |diff| <= 1e-5 * max |reference output| (REL_TOL of expectClose).

const ACTS = ACT_NAMES.map((a) => Act[a] as ActCode);
const MS = [1, 2, 3, 5, 7, 17, 49];
const KS = [1, 3, 5, 7, 17, 33, 96, 144];
const NS = [1, 3, 5, 7, 17, 33, 96, 144];

interface Case {
  tile: string;
  m: number;
  n: number;
  k: number;
  /** Extra floats per input pixel after the k used ones, and the input channel offset. */
  aOff: number;
  aExtra: number;
  /** Output: channel offset inside a wider row, extra channels after the slice, floats after the last slice. */
  cOff: number;
  cExtra: number;
  cTrail: number;
  residual: boolean;
  act: ActCode;
  bias: boolean;
}

/**
 * Runs one case: input and residual are channel slices of wider tensors, the output is a slice of
 * a wider tensor placed at the very end of memory, pre-filled with a sentinel; the whole output
 * tensor (including channels outside the slice) is compared with the reference applied to the
 * same sentinel.
 */
function runCase(k: Kernels, cs: Case, rand: () => number): void {
  const { tile, m, n, k: kk, aOff, aExtra, cOff, cExtra, cTrail, act } = cs;
  const [, nr] = gemmTileShape(tile);
  k.arena.reset();
  const aStride = aOff + kk + aExtra;
  const cStride = cOff + n + cExtra;
  const rStride = n + 2;
  const aLen = m * aStride;
  const cLen = (m - 1) * cStride + cOff + n + cTrail;
  const A = randomArray(aLen, rand, -1, 1);
  const W = randomArray(n * kk, rand, -1, 1);
  const B = cs.bias ? randomArray(n, rand, -1, 1) : null;
  const R = cs.residual ? randomArray(m * rStride, rand, -2, 2) : null;
  const aPtr = k.arena.put(A);
  const wPtr = k.arena.put(packGemmWeights(W, B, n, kk, nr));
  const rPtr = R ? k.arena.put(R) : 0;
  const cPtr = k.arena.allocAtEnd(cLen * 4);
  const sentinel = randomArray(cLen, rand, 50, 60);
  k.arena.write(cPtr, sentinel);
  gemm(k, {
    m, n, k: kk, a: aPtr + 4 * aOff, aStride, w: wPtr, c: cPtr + 4 * cOff, cStride, act,
    r: rPtr, rStride, tile,
  });
  const want = sentinel.slice();
  refGemm(m, n, kk, A.subarray(aOff), aStride, W, B, want.subarray(cOff), cStride, act, R, rStride);
  expectClose(
    k.arena.read(cPtr, cLen), want,
    `${tile} m=${m} n=${n} k=${kk} aStride=${aStride}+${aOff} cStride=${cStride}+${cOff} trail=${cTrail} res=${cs.residual} act=${ACT_NAMES[act]} bias=${cs.bias}`,
  );
}

describe('packGemmWeights', () => {
  it('lays out panels of nr channels: bias[nr] then k rows of nr weights, zero padded', () => {
    // W = [[1, 2], [3, 4], [5, 6]] (n = 3, k = 2), bias [10, 20, 30], nr = 2
    const p = packGemmWeights([1, 2, 3, 4, 5, 6], [10, 20, 30], 3, 2, 2);
    expect(Array.from(p)).toEqual([10, 20, 1, 3, 2, 4, 30, 0, 5, 0, 6, 0]);
    expect(packedGemmSize(3, 2, 2)).toBe(12);
    expect(Array.from(packGemmWeights([1, 2], null, 1, 2, 4))).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]);
  });

  it('rejects mismatched lengths', () => {
    expect(() => packGemmWeights([1, 2, 3], null, 2, 2, 16)).toThrow(ShapeError);
    expect(() => packGemmWeights([1, 2, 3, 4], [1], 2, 2, 16)).toThrow(/bias/);
  });
});

describe('stridedOverlap', () => {
  it('tells disjoint channel slices of one tensor from overlapping ones', () => {
    // tensor of 4 pixels x 10 channels at byte 1024: channels [0,4) vs [4,10) are disjoint
    expect(stridedOverlap(1024, 4, 4, 10, 1024 + 16, 4, 6, 10)).toBe(false);
    expect(stridedOverlap(1024, 4, 5, 10, 1024 + 16, 4, 6, 10)).toBe(true);
    expect(stridedOverlap(1024 + 16, 4, 6, 10, 1024, 4, 4, 10)).toBe(false);
    expect(stridedOverlap(1024 + 16, 4, 7, 10, 1024, 4, 4, 10)).toBe(true); // wraps into next pixel
    expect(stridedOverlap(1024, 4, 4, 10, 1024 + 4 * 40, 4, 4, 10)).toBe(false); // after the end
    expect(stridedOverlap(1024, 4, 4, 10, 1024, 4, 4, 12)).toBe(true); // different strides: conservative
  });
});

describe('selectGemmTile', () => {
  it('returns a manifest tile', () => {
    expect(GEMM_TILES).toContain(selectGemmTile({ m: 3136, n: 24, k: 144 }));
    expect(GEMM_TILES).toContain(selectGemmTile());
  });
});

describe.each(VARIANTS)('f32-gemm (%s build)', (variant) => {
  for (const tile of GEMM_TILES) {
    it(`f32-gemm-${tile}: grid m x n x k (${MS.length * NS.length * KS.length} shapes), strided slices, output at end of memory`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(1000 + GEMM_TILES.indexOf(tile));
      let idx = 0;
      for (const m of MS) {
        for (const n of NS) {
          for (const kk of KS) {
            idx++;
            runCase(k, {
              tile, m, n, k: kk,
              aOff: idx % 3, aExtra: idx % 2,
              cOff: idx % 4 === 0 ? 0 : 3, cExtra: idx % 5, cTrail: idx % 2 === 0 ? 0 : idx % 5,
              residual: idx % 3 === 1, act: ACTS[idx % ACTS.length], bias: idx % 7 !== 3,
            }, rand);
          }
        }
      }
    });

    it(`f32-gemm-${tile}: every activation, with and without residual`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(7);
      for (const act of ACTS) {
        for (const residual of [false, true]) {
          for (const [m, n, kk] of [[5, 17, 9], [7, 24, 144], [3, 40, 1], [17, 8, 33], [2, 33, 5]]) {
            runCase(k, { tile, m, n, k: kk, aOff: 1, aExtra: 2, cOff: 5, cExtra: 3, cTrail: 0, residual, act, bias: true }, rand);
          }
        }
      }
    });
  }

  it('large shapes span several pixel blocks (m = 1200, k = 96 and k = 600)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(99);
    for (const tile of GEMM_TILES) {
      runCase(k, { tile, m: 1200, n: 20, k: 96, aOff: 0, aExtra: 0, cOff: 0, cExtra: 0, cTrail: 0, residual: true, act: Act.relu6, bias: true }, rand);
      runCase(k, { tile, m: 301, n: 37, k: 600, aOff: 2, aExtra: 1, cOff: 1, cExtra: 2, cTrail: 0, residual: false, act: Act.linear, bias: true }, rand);
    }
  });

  it('residual may be the output itself (in place, same stride)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(5);
    for (const tile of GEMM_TILES) {
      const [, nr] = gemmTileShape(tile);
      k.arena.reset();
      const m = 7, n = 21, kk = 13, cStride = 25;
      const A = randomArray(m * kk, rand);
      const W = randomArray(n * kk, rand);
      const B = randomArray(n, rand);
      const C = randomArray(m * cStride, rand, -3, 3);
      const aPtr = k.arena.put(A);
      const wPtr = k.arena.put(packGemmWeights(W, B, n, kk, nr));
      const cPtr = k.arena.allocAtEnd(C.length * 4);
      k.arena.write(cPtr, C);
      gemm(k, { m, n, k: kk, a: aPtr, w: wPtr, c: cPtr + 8, cStride, r: cPtr + 8, rStride: cStride, act: Act.relu, tile });
      const want = C.slice();
      refGemm(m, n, kk, A, kk, W, B, want.subarray(2), cStride, Act.relu, C.slice(2), cStride);
      expectClose(k.arena.read(cPtr, C.length), want, `${tile} in-place residual`);
    }
  });

  for (const groups of [2, 3, 4, 8]) {
    it(`pointwiseConv with groups = ${groups}: channel slices of wider tensors, residual, every tile`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(300 + groups);
      for (const tile of GEMM_TILES) {
        const [, nr] = gemmTileShape(tile);
        for (const [m, cinG, coutG, residual] of [[7, 5, 3, false], [17, 8, 17, true], [49, 20, 60 / 3, true], [3, 1, 1, false]] as const) {
          k.arena.reset();
          const cin = cinG * groups, cout = coutG * groups;
          const inOff = 2, inStride = cin + 5, outOff = 3, outStride = cout + 4;
          const X = randomArray(m * inStride, rand);
          const W = randomArray(cout * cinG, rand);
          const B = randomArray(cout, rand);
          const R = residual ? randomArray(m * cout, rand, -2, 2) : null;
          const xPtr = k.arena.put(X);
          const packed = packGroupedPointwise(W, B, cout, cin, groups, nr).map((p) => k.arena.put(p));
          const rPtr = R ? k.arena.put(R) : 0;
          const outLen = m * outStride;
          const oPtr = k.arena.allocAtEnd(outLen * 4);
          const sentinel = randomArray(outLen, rand, 50, 60);
          k.arena.write(oPtr, sentinel);
          const act = residual ? Act.relu : Act.hswish;
          pointwiseConv(k, {
            m, cin, cout, groups, input: xPtr + 4 * inOff, inStride, output: oPtr + 4 * outOff, outStride,
            packedPerGroup: packed, act, residual: rPtr, residualStride: cout, tile,
          });
          const want = sentinel.slice();
          refGroupedPointwise(m, cin, cout, groups, X.subarray(inOff), inStride, W, B, want.subarray(outOff), outStride, act, R, cout);
          expectClose(k.arena.read(oPtr, outLen), want, `${tile} groups=${groups} m=${m} cin=${cin} cout=${cout}`);
        }
      }
    });
  }

  it('pointwiseConv writes a channel slice of a concat tensor whose other slice is its input (in place)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(11);
    k.arena.reset();
    // tensor T: 9 pixels x 24 channels; GEMM reads channels [0, 8) and writes channels [8, 24)
    const m = 9, C = 24;
    const T = randomArray(m * C, rand);
    const W = randomArray(16 * 4, rand); // [cout][cin / groups]
    const tPtr = k.arena.put(T);
    // no tile given: pack for the tile pointwiseConv will pick
    const [, nr] = gemmTileShape(selectGemmTile({ m, n: 8, k: 4 }));
    const packed = packGroupedPointwise(W, null, 16, 8, 2, nr).map((p) => k.arena.put(p));
    pointwiseConv(k, { m, cin: 8, cout: 16, groups: 2, input: tPtr, inStride: C, output: tPtr + 32, outStride: C, packedPerGroup: packed, act: Act.linear });
    const want = T.slice();
    refGroupedPointwise(m, 8, 16, 2, T, C, W, null, want.subarray(8), C, Act.linear);
    expectClose(k.arena.read(tPtr, m * C), want, 'concat in place');
  });

  it('seeded random shapes (100 draws): every tile, strides, slices, residual, activation', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(20260);
    for (let d = 0; d < 100; d++) {
      runCase(k, {
        tile: GEMM_TILES[randInt(rand, 0, GEMM_TILES.length - 1)],
        m: randInt(rand, 1, 70), n: randInt(rand, 1, 170), k: randInt(rand, 1, 200),
        aOff: randInt(rand, 0, 5), aExtra: randInt(rand, 0, 5),
        cOff: randInt(rand, 0, 9), cExtra: randInt(rand, 0, 9), cTrail: randInt(rand, 0, 1) * randInt(rand, 0, 9),
        residual: rand() < 0.5, act: ACTS[randInt(rand, 0, ACTS.length - 1)], bias: rand() < 0.8,
      }, rand);
    }
  });

  it('rejects bad arguments with typed errors naming the argument', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const a = k.arena.allocF32(64);
    const w = k.arena.allocF32(packedGemmSize(4, 4, 16));
    const c = k.arena.allocF32(64);
    const ok = { m: 4, n: 4, k: 4, a, w, c, act: Act.linear as ActCode };
    expect(() => gemm(k, ok)).not.toThrow();
    expect(() => gemm(k, { ...ok, tile: '5x5' })).toThrow(/tile '5x5' is unknown/);
    expect(() => gemm(k, { ...ok, m: -1 })).toThrow(/'m' = -1/);
    expect(() => gemm(k, { ...ok, n: 2.5 })).toThrow(ShapeError);
    expect(() => gemm(k, { ...ok, k: NaN })).toThrow(/'k'/);
    expect(() => gemm(k, { ...ok, aStride: 3 })).toThrow(/'aStride' = 3 is smaller than k = 4/);
    expect(() => gemm(k, { ...ok, cStride: 2 })).toThrow(/cStride/);
    expect(() => gemm(k, { ...ok, r: a, rStride: 3 })).toThrow(/rStride/);
    expect(() => gemm(k, { ...ok, act: 12 as ActCode })).toThrow(/activation code 12/);
    expect(() => gemm(k, { ...ok, act: -1 as ActCode })).toThrow(ShapeError);
    expect(() => gemm(k, { ...ok, a: 0 })).toThrow(BufferError);
    expect(() => gemm(k, { ...ok, a: a + 2 })).toThrow(/'a'.*4-byte-aligned/);
    expect(() => gemm(k, { ...ok, w: k.memory.buffer.byteLength - 64 })).toThrow(/buffer 'w'/);
    expect(() => gemm(k, { ...ok, m: 1 << 24 })).toThrow(/spans bytes/);
    expect(() => gemm(k, { ...ok, c: a + 16 })).toThrow(/'c' overlaps input 'a'/);
    expect(() => gemm(k, { ...ok, c: w })).toThrow(/overlaps the packed weights/);
    expect(() => gemm(k, { ...ok, r: c + 4 })).toThrow(/partly overlaps residual/);
    expect(() => gemm(k, { ...ok, r: c })).not.toThrow();
    expect(() => gemm(k, { ...ok, m: 0, a: 0, c: 0 })).not.toThrow(); // empty: nothing to check or do
    const base = { m: 2, cin: 6, cout: 4, groups: 2, input: a, output: c, packedPerGroup: [w, w], act: Act.relu as ActCode };
    expect(() => pointwiseConv(k, base)).not.toThrow();
    expect(() => pointwiseConv(k, { ...base, cin: 5 })).toThrow(/cin = 5 must be a multiple of groups = 2/);
    expect(() => pointwiseConv(k, { ...base, cout: 3 })).toThrow(/cout = 3/);
    expect(() => pointwiseConv(k, { ...base, groups: 0 })).toThrow(/'groups' = 0/);
    expect(() => pointwiseConv(k, { ...base, packedPerGroup: [w] })).toThrow(/packedPerGroup has 1/);
    expect(() => pointwiseConv(k, { ...base, inStride: 5 })).toThrow(/inStride/);
    expect(() => pointwiseConv(k, { ...base, output: a + 8 })).toThrow(/overlaps 'input'/);
    expect(() => packGroupedPointwise(new Float32Array(5), null, 4, 6, 2, 16)).toThrow(ShapeError);
  });
});
