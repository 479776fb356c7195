import { describe, expect, it } from 'vitest';
import { BufferError, ShapeError } from '../../src/errors.js';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import { deconv, packDeconvWeights, packedDeconvFloats, selectDeconvKernel } from '../../src/kernels/deconv.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { refDeconv, type RefDeconvShape } from '../../src/reference/deconv.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance: max |kernel - reference| <= 1e-5 * max |reference output| (expectClose's REL_TOL),
// measured over the written channels only; untouched channels must keep their sentinel exactly.
// The reference scatters (input-major); the kernels gather (output-major).

const K2 = 'f32-deconv-2x2s2-4x8';
const K4 = 'f32-deconv-4x4s2-4x8';
const KXK = 'f32-deconv-kxk-4x8';

interface Case {
  inH: number;
  inW: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  s?: number;
  sh?: number;
  sw?: number;
  pt?: number;
  pl?: number;
  /** Bottom / right cropping (negative = output padding); default = pt / pl. */
  pb?: number;
  pr?: number;
  act?: ActCode;
  xExtra?: number;
  xOff?: number;
  yExtra?: number;
  yOff?: number;
  noBias?: boolean;
}

function runCase(k: Kernels, c: Case, rand: () => number, kernel?: string): void {
  k.arena.reset();
  const sh = c.sh ?? c.s ?? 1;
  const sw = c.sw ?? c.s ?? 1;
  const pt = c.pt ?? 0;
  const pl = c.pl ?? 0;
  const pb = c.pb ?? pt;
  const pr = c.pr ?? pl;
  const outH = (c.inH - 1) * sh + c.kh - pt - pb;
  const outW = (c.inW - 1) * sw + c.kw - pl - pr;
  const xExtra = c.xExtra ?? 2;
  const xOff = c.xOff ?? Math.min(1, xExtra);
  const yExtra = c.yExtra ?? 3;
  const yOff = c.yOff ?? yExtra;
  const xStride = c.cin + xExtra;
  const yStride = c.cout + yExtra;
  const s: RefDeconvShape = {
    inH: c.inH, inW: c.inW, cin: c.cin, outH, outW, cout: c.cout, kh: c.kh, kw: c.kw, strideH: sh, strideW: sw,
    padTop: pt, padLeft: pl, xStride, yStride, act: c.act ?? Act.relu,
  };
  const xAll = new Float32Array(c.inH * c.inW * xStride).fill(NaN); // other channels must never be read
  const xs = randomArray(c.inH * c.inW * c.cin, rand, -1, 1);
  for (let p = 0; p < c.inH * c.inW; p++) for (let i = 0; i < c.cin; i++) xAll[p * xStride + xOff + i] = xs[p * c.cin + i];
  const w = randomArray(c.cout * c.kh * c.kw * c.cin, rand, -1, 1);
  const bias = c.noBias ? null : randomArray(c.cout, rand, -1, 1);
  const packed = packDeconvWeights(w, bias, c.cout, c.kh, c.kw, c.cin);
  expect(packed.length).toBe(packedDeconvFloats(c.cout, c.kh, c.kw, c.cin));
  const xBase = k.arena.put(xAll);
  const wp = k.arena.put(packed);
  const yn = outH * outW * yStride;
  const yBase = k.arena.allocAtEnd(yn * 4);
  const sentinel = randomArray(yn, rand, 100, 200);
  k.arena.write(yBase, sentinel);
  deconv(k, {
    inH: c.inH, inW: c.inW, cin: c.cin, x: xBase + 4 * xOff, xStride, outH, outW, cout: c.cout,
    y: yBase + 4 * yOff, yStride, w: wp, kh: c.kh, kw: c.kw, strideH: sh, strideW: sw, padTop: pt, padLeft: pl,
    act: s.act, kernel,
  });
  const got = k.arena.read(yBase, yn);
  const want = sentinel.slice();
  refDeconv(s, xAll.subarray(xOff), w, bias, want.subarray(yOff));
  const gotS = new Float32Array(outH * outW * c.cout);
  const wantS = new Float32Array(outH * outW * c.cout);
  const name = kernel ?? selectDeconvKernel(s);
  for (let p = 0; p < outH * outW; p++) {
    for (let o = 0; o < yStride; o++) {
      const i = p * yStride + o;
      if (o >= yOff && o < yOff + c.cout) {
        gotS[p * c.cout + o - yOff] = got[i];
        wantS[p * c.cout + o - yOff] = want[i];
      } else if (got[i] !== sentinel[i]) {
        throw new Error(`${name} ${JSON.stringify(c)}: untouched float ${i} changed from ${sentinel[i]} to ${got[i]}`);
      }
    }
  }
  expectClose(gotS, wantS, `${name} ${JSON.stringify(c)}`);
}

const CH = [1, 3, 5, 7, 17, 33];

const CASES_2x2: Case[] = [
  ...CH.flatMap((cin) => CH.map((cout): Case => ({ inH: 3, inW: 5, cin, cout, kh: 2, kw: 2, s: 2 }))),
  { inH: 1, inW: 1, cin: 5, cout: 9, kh: 2, kw: 2, s: 2 },
  { inH: 2, inW: 2, cin: 7, cout: 17, kh: 2, kw: 2, s: 2 },
  { inH: 7, inW: 7, cin: 17, cout: 16, kh: 2, kw: 2, s: 2 },
  { inH: 9, inW: 5, cin: 8, cout: 8, kh: 2, kw: 2, s: 2, pt: 0, pb: -1, pl: 0, pr: -1 }, // output padding 1
  { inH: 5, inW: 9, cin: 8, cout: 8, kh: 2, kw: 2, s: 2, pt: 1, pb: 0, pl: 0, pr: 1 }, // cropping
  { inH: 5, inW: 9, cin: 8, cout: 8, kh: 2, kw: 2, s: 2, pt: 1, pb: 1, pl: 1, pr: 0 },
  { inH: 6, inW: 10, cin: 16, cout: 8, kh: 2, kw: 2, s: 2, xExtra: 0, yExtra: 0, noBias: true },
];

const CASES_4x4: Case[] = [
  ...CH.flatMap((cin) => CH.map((cout): Case => ({ inH: 3, inW: 5, cin, cout, kh: 4, kw: 4, s: 2, pt: 1, pl: 1 }))),
  { inH: 1, inW: 1, cin: 5, cout: 9, kh: 4, kw: 4, s: 2, pt: 1, pl: 1 },
  { inH: 2, inW: 2, cin: 7, cout: 17, kh: 4, kw: 4, s: 2, pt: 1, pl: 1 },
  { inH: 7, inW: 7, cin: 17, cout: 16, kh: 4, kw: 4, s: 2, pt: 1, pl: 1 },
  { inH: 11, inW: 13, cin: 6, cout: 10, kh: 4, kw: 4, s: 2, pt: 1, pl: 1 },
  { inH: 5, inW: 7, cin: 8, cout: 8, kh: 4, kw: 4, s: 2, pt: 1, pb: 0, pl: 1, pr: 0 }, // output padding style
  { inH: 5, inW: 7, cin: 8, cout: 8, kh: 4, kw: 4, s: 2, pt: 0, pb: 0, pl: 0, pr: 0 },
  { inH: 5, inW: 7, cin: 8, cout: 8, kh: 4, kw: 4, s: 2, pt: 3, pb: 2, pl: 2, pr: 3 },
  { inH: 5, inW: 7, cin: 8, cout: 8, kh: 4, kw: 4, s: 2, pt: 0, pb: 2, pl: 2, pr: 0 },
  { inH: 8, inW: 8, cin: 16, cout: 24, kh: 4, kw: 4, s: 2, pt: 1, pl: 1, xExtra: 0, yExtra: 0, noBias: true },
];

const CASES_KXK: Case[] = [
  ...CH.flatMap((cin) => CH.map((cout): Case => ({ inH: 3, inW: 4, cin, cout, kh: 3, kw: 3, s: 2, pt: 1, pl: 1, pb: 0, pr: 0 }))),
  // 3x3 s2: TF SAME (pad 0 top, 1 bottom) and PyTorch pad 1 + output_padding 1 (the same geometry) / without
  { inH: 7, inW: 7, cin: 5, cout: 17, kh: 3, kw: 3, s: 2, pt: 0, pb: 1, pl: 0, pr: 1 },
  { inH: 7, inW: 9, cin: 5, cout: 17, kh: 3, kw: 3, s: 2, pt: 1, pb: 1, pl: 1, pr: 1 },
  { inH: 1, inW: 1, cin: 5, cout: 7, kh: 3, kw: 3, s: 2, pt: 0, pb: 1, pl: 0, pr: 1 },
  { inH: 2, inW: 2, cin: 5, cout: 7, kh: 3, kw: 3, s: 2, pt: 1, pb: 0, pl: 1, pr: 0 },
  // 3x3 s1 (same as a flipped conv)
  { inH: 7, inW: 7, cin: 9, cout: 17, kh: 3, kw: 3, s: 1, pt: 1, pl: 1 },
  { inH: 1, inW: 1, cin: 9, cout: 3, kh: 3, kw: 3, s: 1, pt: 1, pl: 1 },
  { inH: 6, inW: 5, cin: 4, cout: 8, kh: 3, kw: 3, s: 1, pt: 0, pl: 0 }, // full: out 8x7
  { inH: 6, inW: 5, cin: 4, cout: 8, kh: 3, kw: 3, s: 1, pt: 2, pl: 2 }, // valid: out 4x3
  // k5 s3
  { inH: 4, inW: 5, cin: 7, cout: 9, kh: 5, kw: 5, s: 3, pt: 1, pl: 1 },
  { inH: 7, inW: 3, cin: 3, cout: 33, kh: 5, kw: 5, s: 3, pt: 2, pb: 0, pl: 0, pr: -2 },
  { inH: 9, inW: 9, cin: 3, cout: 5, kh: 5, kw: 5, s: 3, pt: 4, pb: 4, pl: 4, pr: 4 },
  // stride > kernel: pixels receiving no tap are act(bias)
  { inH: 5, inW: 6, cin: 3, cout: 5, kh: 1, kw: 1, s: 2, pb: -1, pr: -1 },
  { inH: 5, inW: 6, cin: 3, cout: 5, kh: 2, kw: 2, s: 3, pb: -2, pr: -1 },
  // anisotropic
  { inH: 5, inW: 6, cin: 6, cout: 10, kh: 3, kw: 2, sh: 2, sw: 1, pt: 1, pl: 0 },
  { inH: 4, inW: 9, cin: 6, cout: 10, kh: 1, kw: 5, sh: 1, sw: 4, pt: 0, pl: 2, pr: 1 },
  // also the specialised geometries through the general kernel
  { inH: 7, inW: 7, cin: 17, cout: 16, kh: 2, kw: 2, s: 2 },
  { inH: 7, inW: 7, cin: 17, cout: 16, kh: 4, kw: 4, s: 2, pt: 1, pl: 1 },
];

describe.each(VARIANTS)('f32-deconv (%s build)', (variant) => {
  it('f32-deconv-2x2s2-4x8 matches refDeconv (also through the general kernel)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(1);
    for (const c of CASES_2x2) {
      runCase(k, c, rand, K2);
      runCase(k, c, rand, KXK);
    }
  });

  it('f32-deconv-4x4s2-4x8 matches refDeconv (also through the general kernel)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(2);
    for (const c of CASES_4x4) {
      runCase(k, c, rand, K4);
      runCase(k, c, rand, KXK);
    }
  });

  it('f32-deconv-kxk-4x8 matches refDeconv: 3x3 s2 / 3x3 s1 / 5x5 s3 / stride > kernel / anisotropic', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(3);
    for (const c of CASES_KXK) runCase(k, c, rand, KXK);
  });

  it('decoder-sized shape 14x14x96 -> 28x28x32 (4x4 s2 p1 and 2x2 s2)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(4);
    runCase(k, { inH: 14, inW: 14, cin: 96, cout: 32, kh: 4, kw: 4, s: 2, pt: 1, pl: 1, act: Act.relu, xExtra: 0, yExtra: 0 }, rand);
    runCase(k, { inH: 14, inW: 14, cin: 96, cout: 32, kh: 2, kw: 2, s: 2, act: Act.relu6, xExtra: 0, yExtra: 0 }, rand);
  });

  for (const act of ACT_NAMES) {
    it(`activation ${act} on every kernel`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(10 + Act[act]);
      runCase(k, { inH: 5, inW: 7, cin: 7, cout: 17, kh: 2, kw: 2, s: 2, act: Act[act] }, rand, K2);
      runCase(k, { inH: 5, inW: 7, cin: 7, cout: 17, kh: 4, kw: 4, s: 2, pt: 1, pl: 1, act: Act[act] }, rand, K4);
      runCase(k, { inH: 5, inW: 7, cin: 7, cout: 17, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 1, pr: 1, act: Act[act] }, rand, KXK);
    });
  }

  it('random shapes (100 draws, seeded) match refDeconv', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(4321);
    for (let n = 0; n < 100; n++) {
      const kind = randInt(rand, 0, 3); // 0: 2x2s2, 1: 4x4s2, 2-3: anything
      const kh = kind === 0 ? 2 : kind === 1 ? 4 : randInt(rand, 1, 5);
      const kw = kind === 0 ? 2 : kind === 1 ? 4 : randInt(rand, 1, 5);
      const sh = kind <= 1 ? 2 : randInt(rand, 1, 4);
      const sw = kind <= 1 ? 2 : randInt(rand, 1, 4);
      const inH = randInt(rand, 1, 9);
      const inW = randInt(rand, 1, 9);
      const pt = randInt(rand, 0, kh - 1);
      const pl = randInt(rand, 0, kw - 1);
      let pb = randInt(rand, 1 - sh, kh - 1);
      let pr = randInt(rand, 1 - sw, kw - 1);
      // keep at least one output row / column
      while ((inH - 1) * sh + kh - pt - pb < 1) pb--;
      while ((inW - 1) * sw + kw - pl - pr < 1) pr--;
      if (pb < 1 - sh || pr < 1 - sw) {
        n--;
        continue;
      }
      const xExtra = randInt(rand, 0, 3);
      const yExtra = randInt(rand, 0, 3);
      const c: Case = {
        inH, inW, cin: randInt(rand, 1, 20), cout: randInt(rand, 1, 20), kh, kw, sh, sw, pt, pl, pb, pr,
        act: randInt(rand, 0, ACT_NAMES.length - 1) as ActCode,
        xExtra, xOff: randInt(rand, 0, xExtra), yExtra, yOff: randInt(rand, 0, yExtra),
      };
      runCase(k, c, rand);
      if (kind <= 1) runCase(k, c, rand, KXK);
    }
  });

  it('selects the specialised kernels by kernel size and stride', () => {
    expect(selectDeconvKernel({ kh: 2, kw: 2, strideH: 2, strideW: 2 })).toBe(K2);
    expect(selectDeconvKernel({ kh: 4, kw: 4, strideH: 2, strideW: 2 })).toBe(K4);
    expect(selectDeconvKernel({ kh: 3, kw: 3, strideH: 2, strideW: 2 })).toBe(KXK);
    expect(selectDeconvKernel({ kh: 2, kw: 2, strideH: 1, strideW: 2 })).toBe(KXK);
    expect(selectDeconvKernel({ kh: 4, kw: 2, strideH: 2, strideW: 2 })).toBe(KXK);
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const x = k.arena.allocF32(5 * 5 * 8);
    const y = k.arena.allocF32(10 * 10 * 8);
    const w = k.arena.allocF32(packedDeconvFloats(8, 4, 4, 8));
    const ok = { inH: 5, inW: 5, cin: 8, x, outH: 10, outW: 10, cout: 8, y, w, kh: 4, kw: 4, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, act: Act.relu as ActCode };
    expect(() => deconv(k, ok)).not.toThrow();
    expect(() => deconv(k, { ...ok, act: -1 as ActCode })).toThrow(ShapeError);
    expect(() => deconv(k, { ...ok, cin: 0 })).toThrow(/'cin' = 0/);
    expect(() => deconv(k, { ...ok, strideH: 0 })).toThrow(/'strideH' = 0/);
    expect(() => deconv(k, { ...ok, padTop: 4 })).toThrow(/'padTop' = 4/);
    expect(() => deconv(k, { ...ok, padLeft: -1 })).toThrow(/'padLeft' = -1/);
    expect(() => deconv(k, { ...ok, outH: 11, y: k.arena.allocF32(11 * 10 * 8) })).not.toThrow(); // output padding 1
    expect(() => deconv(k, { ...ok, outH: 13 })).toThrow(/'outH' = 13 implies bottom cropping/);
    expect(() => deconv(k, { ...ok, outW: 6 })).toThrow(/'outW' = 6 implies right cropping/);
    expect(() => deconv(k, { ...ok, xStride: 4 })).toThrow(/xStride/);
    expect(() => deconv(k, { ...ok, yStride: 7 })).toThrow(/yStride/);
    expect(() => deconv(k, { ...ok, kernel: K2 })).toThrow(ShapeError);
    expect(() => deconv(k, { ...ok, kernel: 'f32-conv-kxk-4x8' })).toThrow(ShapeError);
    expect(() => deconv(k, { ...ok, y: 3 })).toThrow(BufferError);
    expect(() => deconv(k, { ...ok, y: x })).toThrow(/overlap/);
    expect(() => deconv(k, { ...ok, w: y + 16 })).toThrow(/overlap/);
    expect(() => deconv(k, { ...ok, x: k.arena.byteLength - 100 })).toThrow(/spans bytes/);
    expect(() => packDeconvWeights(new Float32Array(7), null, 8, 4, 4, 8)).toThrow(ShapeError);
  });
});
