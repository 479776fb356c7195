import { describe, expect, it } from 'vitest';
import { BufferError, ShapeError } from '../../src/errors.js';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import { conv, packConvWeights, packedConvFloats, selectConvKernel } from '../../src/kernels/conv.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { refConv, type RefConvShape } from '../../src/reference/conv.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance: max |kernel - reference| <= 1e-5 * max |reference output| (expectClose's REL_TOL),
// measured over the written channels only; untouched channels must keep their sentinel exactly.

const STEM = 'f32-conv-3x3s2-c3';
const KXK = 'f32-conv-kxk-4x8';

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
  dh?: number;
  dw?: number;
  pt?: number;
  pl?: number;
  pb?: number;
  pr?: number;
  groups?: number;
  act?: ActCode;
  /** Extra floats per input / output pixel and the slice's channel offset within the pixel. */
  xExtra?: number;
  xOff?: number;
  yExtra?: number;
  yOff?: number;
  noBias?: boolean;
}

function label(c: Case): string {
  return JSON.stringify(c);
}

/** Runs one case through conv() (optionally forcing a kernel) and compares with refConv. */
function runCase(k: Kernels, c: Case, rand: () => number, kernel?: string): void {
  k.arena.reset();
  const sh = c.sh ?? c.s ?? 1;
  const sw = c.sw ?? c.s ?? 1;
  const dh = c.dh ?? 1;
  const dw = c.dw ?? 1;
  const pt = c.pt ?? 0;
  const pl = c.pl ?? 0;
  const pb = c.pb ?? pt;
  const pr = c.pr ?? pl;
  const groups = c.groups ?? 1;
  const outH = Math.floor((c.inH + pt + pb - ((c.kh - 1) * dh + 1)) / sh) + 1;
  const outW = Math.floor((c.inW + pl + pr - ((c.kw - 1) * dw + 1)) / sw) + 1;
  const xExtra = c.xExtra ?? 2;
  const xOff = c.xOff ?? Math.min(1, xExtra);
  const yExtra = c.yExtra ?? 3;
  const yOff = c.yOff ?? yExtra; // slice ends exactly at the end of the last pixel
  const xStride = c.cin + xExtra;
  const yStride = c.cout + yExtra;
  const s: RefConvShape = {
    inH: c.inH, inW: c.inW, cin: c.cin, outH, outW, cout: c.cout, kh: c.kh, kw: c.kw, strideH: sh, strideW: sw,
    dilH: dh, dilW: dw, padTop: pt, padLeft: pl, groups, xStride, yStride, act: c.act ?? Act.relu,
  };
  // Input: a channel slice of a wider tensor whose other channels are NaN (must never be read).
  const xAll = new Float32Array(c.inH * c.inW * xStride).fill(NaN);
  const xs = randomArray(c.inH * c.inW * c.cin, rand, -1, 1);
  for (let p = 0; p < c.inH * c.inW; p++) for (let i = 0; i < c.cin; i++) xAll[p * xStride + xOff + i] = xs[p * c.cin + i];
  const w = randomArray(c.cout * c.kh * c.kw * (c.cin / groups), rand, -1, 1);
  const bias = c.noBias ? null : randomArray(c.cout, rand, -1, 1);
  const packed = packConvWeights(w, bias, c.cout, c.kh, c.kw, c.cin, groups);
  expect(packed.length).toBe(packedConvFloats(c.cout, c.kh, c.kw, c.cin, groups));
  const xBase = k.arena.put(xAll);
  const wp = k.arena.put(packed);
  const yn = outH * outW * yStride;
  const yBase = k.arena.allocAtEnd(yn * 4);
  const sentinel = randomArray(yn, rand, 100, 200);
  k.arena.write(yBase, sentinel);
  conv(k, {
    inH: c.inH, inW: c.inW, cin: c.cin, x: xBase + 4 * xOff, xStride, outH, outW, cout: c.cout,
    y: yBase + 4 * yOff, yStride, w: wp, kh: c.kh, kw: c.kw, strideH: sh, strideW: sw, dilH: dh, dilW: dw,
    padTop: pt, padLeft: pl, groups, act: s.act, kernel,
  });
  const got = k.arena.read(yBase, yn);
  const want = sentinel.slice();
  refConv(s, xAll.subarray(xOff), w, bias, want.subarray(yOff));
  const gotS = new Float32Array(outH * outW * c.cout);
  const wantS = new Float32Array(outH * outW * c.cout);
  for (let p = 0; p < outH * outW; p++) {
    for (let o = 0; o < yStride; o++) {
      const i = p * yStride + o;
      if (o >= yOff && o < yOff + c.cout) {
        gotS[p * c.cout + o - yOff] = got[i];
        wantS[p * c.cout + o - yOff] = want[i];
      } else if (got[i] !== sentinel[i]) {
        throw new Error(`${kernel ?? 'conv'} ${label(c)}: untouched float ${i} changed from ${sentinel[i]} to ${got[i]}`);
      }
    }
  }
  expectClose(gotS, wantS, `${kernel ?? selectConvKernel(s)} ${label(c)}`);
}

const CH = [1, 3, 5, 7, 17, 33];

/** General-kernel grid: channels, spatial sizes, strides, padding per side, dilation, groups. */
const GENERAL: Case[] = [
  ...CH.flatMap((cin) => CH.map((cout): Case => ({ inH: 5, inW: 6, cin, cout, kh: 3, kw: 3, pt: 1, pl: 1 }))),
  // spatial 1x1, 2x2, 7x7
  { inH: 1, inW: 1, cin: 5, cout: 17, kh: 1, kw: 1 },
  { inH: 1, inW: 1, cin: 5, cout: 17, kh: 3, kw: 3, pt: 1, pl: 1 },
  { inH: 2, inW: 2, cin: 7, cout: 9, kh: 3, kw: 3, pt: 1, pl: 1 },
  { inH: 2, inW: 2, cin: 7, cout: 9, kh: 2, kw: 2, s: 2 },
  { inH: 7, inW: 7, cin: 3, cout: 17, kh: 3, kw: 3, pt: 1, pl: 1 },
  { inH: 7, inW: 7, cin: 17, cout: 33, kh: 7, kw: 7, pt: 3, pl: 3 },
  { inH: 7, inW: 7, cin: 33, cout: 7, kh: 1, kw: 1 },
  { inH: 16, inW: 16, cin: 8, cout: 16, kh: 3, kw: 3, pt: 1, pl: 1, xExtra: 0, yExtra: 0 },
  // odd sizes with stride 2 (TF SAME is pad after, PyTorch pad both)
  { inH: 9, inW: 11, cin: 5, cout: 12, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 0, pr: 0 },
  { inH: 9, inW: 11, cin: 5, cout: 12, kh: 3, kw: 3, s: 2, pt: 1, pl: 1 },
  { inH: 10, inW: 12, cin: 5, cout: 12, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 1, pr: 1 },
  { inH: 13, inW: 7, cin: 3, cout: 8, kh: 5, kw: 5, s: 2, pt: 2, pl: 2 },
  { inH: 15, inW: 17, cin: 4, cout: 6, kh: 3, kw: 5, sh: 2, sw: 3, pt: 1, pl: 2 },
  { inH: 9, inW: 9, cin: 3, cout: 16, kh: 3, kw: 3, s: 2, pt: 1, pl: 1 }, // stem geometry on a channel slice
  // padding on one side only
  { inH: 7, inW: 7, cin: 5, cout: 9, kh: 3, kw: 3, pt: 1, pb: 0, pl: 0, pr: 0 },
  { inH: 7, inW: 7, cin: 5, cout: 9, kh: 3, kw: 3, pt: 0, pb: 1, pl: 0, pr: 0 },
  { inH: 7, inW: 7, cin: 5, cout: 9, kh: 3, kw: 3, pt: 0, pb: 0, pl: 1, pr: 0 },
  { inH: 7, inW: 7, cin: 5, cout: 9, kh: 3, kw: 3, pt: 0, pb: 0, pl: 0, pr: 1 },
  { inH: 9, inW: 9, cin: 3, cout: 5, kh: 5, kw: 5, pt: 2, pb: 0, pl: 0, pr: 4 },
  { inH: 9, inW: 9, cin: 3, cout: 5, kh: 5, kw: 5, pt: 0, pb: 4, pl: 2, pr: 0 },
  // dilation
  { inH: 7, inW: 7, cin: 5, cout: 9, kh: 3, kw: 3, dh: 2, dw: 2, pt: 2, pl: 2 },
  { inH: 9, inW: 8, cin: 3, cout: 17, kh: 3, kw: 3, dh: 2, dw: 1, pt: 2, pl: 1 },
  { inH: 11, inW: 11, cin: 4, cout: 8, kh: 3, kw: 3, dh: 3, dw: 3, s: 2, pt: 3, pl: 3 },
  { inH: 5, inW: 5, cin: 2, cout: 3, kh: 3, kw: 3, dh: 2, dw: 2, pt: 0, pl: 0 },
  // groups
  { inH: 7, inW: 7, cin: 6, cout: 10, kh: 3, kw: 3, pt: 1, pl: 1, groups: 2 },
  { inH: 7, inW: 9, cin: 9, cout: 6, kh: 3, kw: 3, s: 2, pt: 1, pl: 1, groups: 3 },
  { inH: 6, inW: 6, cin: 8, cout: 36, kh: 3, kw: 3, pt: 1, pl: 1, groups: 4 },
  { inH: 5, inW: 7, cin: 16, cout: 8, kh: 3, kw: 3, pt: 1, pl: 1, groups: 8 },
  { inH: 5, inW: 7, cin: 16, cout: 136, kh: 3, kw: 3, pt: 1, pl: 1, groups: 8 },
  { inH: 7, inW: 7, cin: 17, cout: 17, kh: 3, kw: 3, pt: 1, pl: 1, groups: 17 },
  { inH: 7, inW: 7, cin: 24, cout: 48, kh: 1, kw: 1, groups: 3 },
  // contiguous tensors, no bias
  { inH: 6, inW: 9, cin: 7, cout: 5, kh: 3, kw: 3, pt: 1, pl: 1, xExtra: 0, yExtra: 0, noBias: true },
];

/** Stem-kernel shapes (3x3 s2, cin 3), also run through the general kernel. */
const STEMS: Case[] = [
  ...[1, 3, 5, 7, 8, 16, 17, 33].map((cout): Case => ({ inH: 9, inW: 9, cin: 3, cout, kh: 3, kw: 3, s: 2, pt: 1, pl: 1, xExtra: 0 })),
  { inH: 1, inW: 1, cin: 3, cout: 8, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 2, pr: 2, xExtra: 0 },
  { inH: 1, inW: 1, cin: 3, cout: 8, kh: 3, kw: 3, s: 2, pt: 1, pl: 1, xExtra: 0 },
  { inH: 2, inW: 2, cin: 3, cout: 16, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 1, pr: 1, xExtra: 0 },
  { inH: 7, inW: 7, cin: 3, cout: 16, kh: 3, kw: 3, s: 2, pt: 1, pl: 1, xExtra: 0 },
  { inH: 16, inW: 16, cin: 3, cout: 32, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 1, pr: 1, xExtra: 0 },
  { inH: 17, inW: 23, cin: 3, cout: 24, kh: 3, kw: 3, s: 2, pt: 0, pl: 1, pb: 0, pr: 1, xExtra: 0 },
  { inH: 17, inW: 23, cin: 3, cout: 24, kh: 3, kw: 3, s: 2, pt: 1, pl: 0, pb: 1, pr: 0, xExtra: 0 },
  { inH: 12, inW: 21, cin: 3, cout: 16, kh: 3, kw: 3, s: 2, pt: 2, pl: 2, xExtra: 0 },
  { inH: 20, inW: 20, cin: 3, cout: 16, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 1, pr: 1, xExtra: 0, yExtra: 0, noBias: true },
];

describe.each(VARIANTS)('f32-conv (%s build)', (variant) => {
  it('f32-conv-kxk-4x8 matches refConv on the shape grid', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(1);
    for (const c of GENERAL) runCase(k, c, rand, KXK);
  });

  it('f32-conv-3x3s2-c3 matches refConv (and so does the general kernel) on stem shapes', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(2);
    for (const c of STEMS) {
      runCase(k, c, rand, STEM);
      runCase(k, c, rand, KXK);
    }
  });

  it('MobileNet stems 224x224x3: TF SAME (pad after) and PyTorch pad 1', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(3);
    runCase(k, { inH: 224, inW: 224, cin: 3, cout: 32, kh: 3, kw: 3, s: 2, pt: 0, pl: 0, pb: 1, pr: 1, act: Act.relu6, xExtra: 0, yExtra: 0 }, rand);
    runCase(k, { inH: 224, inW: 224, cin: 3, cout: 16, kh: 3, kw: 3, s: 2, pt: 1, pl: 1, act: Act.hswish, xExtra: 0, yExtra: 0 }, rand);
  });

  for (const act of ACT_NAMES) {
    it(`activation ${act} on both kernels`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(10 + Act[act]);
      runCase(k, { inH: 7, inW: 9, cin: 7, cout: 17, kh: 3, kw: 3, pt: 1, pl: 1, act: Act[act] }, rand, KXK);
      runCase(k, { inH: 7, inW: 9, cin: 6, cout: 12, kh: 3, kw: 3, pt: 1, pl: 1, groups: 3, act: Act[act] }, rand, KXK);
      runCase(k, { inH: 11, inW: 9, cin: 3, cout: 17, kh: 3, kw: 3, s: 2, pt: 1, pl: 1, xExtra: 0, act: Act[act] }, rand, STEM);
    });
  }

  it('random shapes (100 draws, seeded) match refConv', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(1234);
    let n = 0;
    while (n < 100) {
      const stem = rand() < 0.2;
      const kh = stem ? 3 : randInt(rand, 1, 5);
      const kw = stem ? 3 : randInt(rand, 1, 5);
      const sh = stem ? 2 : randInt(rand, 1, 3);
      const sw = stem ? 2 : randInt(rand, 1, 3);
      const dh = stem ? 1 : randInt(rand, 1, 2);
      const dw = stem ? 1 : randInt(rand, 1, 2);
      const groups = stem ? 1 : [1, 1, 2, 3, 4][randInt(rand, 0, 4)];
      const cin = stem ? 3 : groups * randInt(rand, 1, 6);
      const cout = groups * randInt(rand, 1, stem ? 40 : 12);
      const inH = randInt(rand, 1, 13);
      const inW = randInt(rand, 1, 13);
      const effH = (kh - 1) * dh + 1;
      const effW = (kw - 1) * dw + 1;
      const pt = randInt(rand, 0, effH - 1);
      const pl = randInt(rand, 0, effW - 1);
      const pb = randInt(rand, 0, effH - 1);
      const pr = randInt(rand, 0, effW - 1);
      if (inH + pt + pb < effH || inW + pl + pr < effW) continue;
      const xExtra = stem ? 0 : randInt(rand, 0, 3);
      const yExtra = randInt(rand, 0, 3);
      const c: Case = {
        inH, inW, cin, cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups,
        act: randInt(rand, 0, ACT_NAMES.length - 1) as ActCode,
        xExtra, xOff: randInt(rand, 0, xExtra), yExtra, yOff: randInt(rand, 0, yExtra),
      };
      // the bottom/right rule of the wrapper: implied padding >= 1 - stride holds by construction
      runCase(k, c, rand);
      if (stem) runCase(k, c, rand, KXK);
      n++;
    }
  });

  it('reads and writes disjoint channel slices of one tensor in place', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const rand = rng(5);
    const [H, W, cin, cout, C] = [6, 7, 5, 9, 16];
    const t = randomArray(H * W * C, rand, -1, 1);
    const w = randomArray(cout * 9 * cin, rand);
    const bias = randomArray(cout, rand);
    const tp = k.arena.put(t);
    const wp = k.arena.put(packConvWeights(w, bias, cout, 3, 3, cin));
    // x = channels [2, 7), y = channels [7, 16) of the same NHWC tensor
    conv(k, { inH: H, inW: W, cin, x: tp + 8, xStride: C, outH: H, outW: W, cout, y: tp + 28, yStride: C, w: wp, kh: 3, kw: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, act: Act.linear });
    const want = t.slice();
    refConv({ inH: H, inW: W, cin, outH: H, outW: W, cout, kh: 3, kw: 3, strideH: 1, strideW: 1, dilH: 1, dilW: 1, padTop: 1, padLeft: 1, groups: 1, xStride: C, yStride: C, act: Act.linear }, t.subarray(2), w, bias, want.subarray(7));
    expectClose(k.arena.read(tp, H * W * C), want, 'in-place slices');
  });

  it('selects the stem kernel only for 3x3 s2 d1 cin 3 groups 1', () => {
    const base = { cin: 3, kh: 3, kw: 3, strideH: 2, strideW: 2 };
    expect(selectConvKernel(base)).toBe(STEM);
    expect(selectConvKernel({ ...base, xStride: 3, dilH: 1, groups: 1 })).toBe(STEM);
    expect(selectConvKernel({ ...base, xStride: 4 })).toBe(KXK);
    expect(selectConvKernel({ ...base, cin: 4 })).toBe(KXK);
    expect(selectConvKernel({ ...base, strideW: 1 })).toBe(KXK);
    expect(selectConvKernel({ ...base, dilH: 2 })).toBe(KXK);
    expect(selectConvKernel({ ...base, kw: 5 })).toBe(KXK);
    expect(selectConvKernel({ ...base, cin: 3, groups: 3 })).toBe(KXK);
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const x = k.arena.allocF32(7 * 7 * 8);
    const y = k.arena.allocF32(7 * 7 * 8);
    const w = k.arena.allocF32(packedConvFloats(8, 3, 3, 8, 2));
    const ok = { inH: 7, inW: 7, cin: 8, x, outH: 7, outW: 7, cout: 8, y, w, kh: 3, kw: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, groups: 2, act: Act.relu as ActCode };
    expect(() => conv(k, ok)).not.toThrow();
    expect(() => conv(k, { ...ok, act: 9 as ActCode })).toThrow(ShapeError);
    expect(() => conv(k, { ...ok, groups: 3 })).toThrow(/'cin' = 8 must be divisible by groups = 3/);
    expect(() => conv(k, { ...ok, cout: 6, groups: 4, cin: 8 })).toThrow(/'cout' = 6 must be divisible/);
    expect(() => conv(k, { ...ok, inH: 0 })).toThrow(/'inH' = 0/);
    expect(() => conv(k, { ...ok, kh: 0 })).toThrow(/'kh' = 0/);
    expect(() => conv(k, { ...ok, strideW: 1.5 })).toThrow(/'strideW' = 1.5/);
    expect(() => conv(k, { ...ok, dilH: 0 })).toThrow(/'dilH' = 0/);
    expect(() => conv(k, { ...ok, padTop: 3 })).toThrow(/'padTop' = 3/);
    expect(() => conv(k, { ...ok, padLeft: -1 })).toThrow(/'padLeft' = -1/);
    expect(() => conv(k, { ...ok, outH: 9 })).toThrow(/'outH' = 9 implies bottom padding/);
    expect(() => conv(k, { ...ok, outW: 3 })).toThrow(/'outW' = 3 implies right padding/);
    expect(() => conv(k, { ...ok, xStride: 7 })).toThrow(/xStride/);
    expect(() => conv(k, { ...ok, yStride: 4 })).toThrow(/yStride/);
    expect(() => conv(k, { ...ok, kernel: STEM })).toThrow(ShapeError);
    const stem = { ...ok, cin: 3, cout: 8, groups: 1, strideH: 2, strideW: 2, outH: 4, outW: 4, w: k.arena.allocF32(packedConvFloats(8, 3, 3, 3)) };
    expect(() => conv(k, stem)).not.toThrow();
    expect(() => conv(k, { ...stem, xStride: 4, kernel: STEM })).toThrow(/cin = xStride = 3/);
    expect(() => conv(k, { ...ok, kernel: 'f32-gemm-2x16' })).toThrow(ShapeError);
    expect(() => conv(k, { ...ok, x: 0 })).toThrow(BufferError);
    expect(() => conv(k, { ...ok, y: y + 2 })).toThrow(BufferError);
    expect(() => conv(k, { ...ok, y: x + 4 })).toThrow(/overlap/);
    expect(() => conv(k, { ...ok, w: y })).toThrow(/overlap/);
    expect(() => conv(k, { ...ok, w: k.arena.byteLength - 64 })).toThrow(/spans bytes/);
    expect(() => conv(k, { ...ok, inH: 1 << 20, outH: 1 << 20 })).toThrow(/spans bytes/);
    expect(() => packConvWeights(new Float32Array(10), null, 8, 3, 3, 8, 2)).toThrow(ShapeError);
    expect(() => packConvWeights(new Float32Array(8 * 9 * 4), new Float32Array(3), 8, 3, 3, 8, 2)).toThrow(/bias has 3/);
  });
});
