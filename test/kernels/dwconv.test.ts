import { describe, expect, it } from 'vitest';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import {
  DWCONV_GENERIC, dwconv, kernels as DWCONV_KERNELS, packDwconvWeights, packedDwconvSize, selectDwconvKernel,
} from '../../src/kernels/dwconv.js';
import { convOutSize, tfSamePadAxis } from '../../src/graph/padding.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { refDwconv } from '../../src/reference/dwconv.js';
import { BufferError, ShapeError } from '../../src/errors.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance: max |kernel - reference| <= 1e-5 * max |reference output| (expectClose default),
// over the whole output region including channels outside the written slice (sentinels).

interface Case {
  inH: number; inW: number; c: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  dilationH: number; dilationW: number;
  padTop: number; padLeft: number;
  /** Explicit trailing pads (outH/outW derived from them) ... */
  padBottom?: number; padRight?: number;
  /** ... or explicit output sizes (trailing pads implied). */
  outH?: number; outW?: number;
  act: ActCode;
  /** Channel offset of the slice inside wider input/output pixels, and extra floats after it. */
  xOff?: number; xExtra?: number; yOff?: number; yExtra?: number;
  bias?: boolean;
  /** Put the input (instead of the output) at the very end of memory. */
  xAtEnd?: boolean;
  kernel?: string;
}

const desc = (t: Case): string =>
  `${t.inH}x${t.inW}x${t.c} k${t.kh}x${t.kw} s${t.strideH},${t.strideW} d${t.dilationH},${t.dilationW} ` +
  `pad t${t.padTop} l${t.padLeft} b${t.padBottom ?? '-'} r${t.padRight ?? '-'} out ${t.outH ?? '-'}x${t.outW ?? '-'} act ${ACT_NAMES[t.act]} ` +
  `slices x+${t.xOff ?? 0}/${t.xExtra ?? 0} y+${t.yOff ?? 0}/${t.yExtra ?? 0}${t.xAtEnd ? ' x@end' : ''}${t.kernel ? ` ${t.kernel}` : ''}`;

/** Runs one case through the wrapper and the reference; returns the kernel that ran. */
function runCase(k: Kernels, t: Case, seed: number): string {
  const rand = rng(seed);
  const outH = t.padBottom !== undefined ? convOutSize(t.inH, t.kh, t.strideH, t.dilationH, t.padTop, t.padBottom) : t.outH!;
  const outW = t.padRight !== undefined ? convOutSize(t.inW, t.kw, t.strideW, t.dilationW, t.padLeft, t.padRight) : t.outW!;
  const xOff = t.xOff ?? 0;
  const yOff = t.yOff ?? 0;
  const xStride = xOff + t.c + (t.xExtra ?? 0);
  const yStride = yOff + t.c + (t.yExtra ?? 0);
  // Input tensor: the slice holds data, the other channels NaN (must never reach a stored lane).
  const xAll = new Float32Array(t.inH * t.inW * xStride).fill(NaN);
  for (let p = 0; p < t.inH * t.inW; p++) for (let ch = 0; ch < t.c; ch++) xAll[p * xStride + xOff + ch] = rand() * 2 - 1;
  const xSlice = xAll.subarray(xOff); // reference view: pixel p channel ch at p*xStride + ch
  const wts = randomArray(t.kh * t.kw * t.c, rand);
  const bias = t.bias === false ? null : randomArray(t.c, rand);
  const packed = packDwconvWeights(wts, bias, t.c, t.kh, t.kw);
  const yAllN = outH * outW * yStride;
  const sentinel = randomArray(yAllN, rand, 100, 200);

  k.arena.reset();
  let xBase: number;
  let yBase: number;
  let wPtr: number;
  const xBytes = (xAll.length - (t.xExtra ?? 0)) * 4; // the tensor ends right after the last slice float
  if (t.xAtEnd) {
    wPtr = k.arena.put(packed);
    yBase = k.arena.allocF32(yAllN);
    xBase = k.arena.allocAtEnd(xBytes);
  } else {
    wPtr = k.arena.put(packed);
    xBase = k.arena.alloc(xBytes);
    yBase = k.arena.allocAtEnd(Math.max(0, yAllN - (t.yExtra ?? 0)) * 4);
  }
  k.arena.write(xBase, xAll.subarray(0, xBytes / 4));
  const yN = Math.max(0, yAllN - (t.yExtra ?? 0));
  k.arena.write(yBase, sentinel.subarray(0, yN));

  const ran = dwconv(k, {
    inH: t.inH, inW: t.inW, c: t.c, x: xBase + 4 * xOff, xStride, outH, outW, y: yBase + 4 * yOff, yStride,
    w: wPtr, kh: t.kh, kw: t.kw, strideH: t.strideH, strideW: t.strideW, dilationH: t.dilationH, dilationW: t.dilationW,
    padTop: t.padTop, padLeft: t.padLeft, padBottom: t.padBottom, padRight: t.padRight, act: t.act, kernel: t.kernel,
  });

  const want = sentinel.slice(0, yN);
  refDwconv({
    inH: t.inH, inW: t.inW, c: t.c, x: xSlice, xStride, outH, outW, y: want.subarray(yOff), yStride,
    w: wts, bias, kh: t.kh, kw: t.kw, padTop: t.padTop, padLeft: t.padLeft, strideH: t.strideH, strideW: t.strideW,
    dilationH: t.dilationH, dilationW: t.dilationW, act: t.act,
  });
  expectClose(k.arena.read(yBase, yN), want, `${ran}: ${desc(t)}`);
  return ran;
}

/** [kh, strideW] of each specialised kernel, and the generic kernel forced on several sizes. */
const TARGETS: Array<{ label: string; kh: number; kw: number; s: number; kernel?: string }> = [
  { label: 'f32-dwconv-3x3-x4', kh: 3, kw: 3, s: 1 },
  { label: 'f32-dwconv-3x3s2-x4', kh: 3, kw: 3, s: 2 },
  { label: 'f32-dwconv-5x5-x4', kh: 5, kw: 5, s: 1 },
  { label: 'f32-dwconv-5x5s2-x4', kh: 5, kw: 5, s: 2 },
  { label: `${DWCONV_GENERIC} (3x3 s1 forced)`, kh: 3, kw: 3, s: 1, kernel: DWCONV_GENERIC },
  { label: `${DWCONV_GENERIC} (5x5 s2 forced)`, kh: 5, kw: 5, s: 2, kernel: DWCONV_GENERIC },
  { label: `${DWCONV_GENERIC} (7x7 s1)`, kh: 7, kw: 7, s: 1 },
  { label: `${DWCONV_GENERIC} (3x5 s3)`, kh: 3, kw: 5, s: 3 },
  { label: `${DWCONV_GENERIC} (1x1 s1)`, kh: 1, kw: 1, s: 1 },
];

const expectedKernel = (t: { kh: number; kw: number; s: number; kernel?: string }): string =>
  t.kernel ?? selectDwconvKernel(t.kh, t.kw, t.s);

const CHANNELS = [1, 3, 5, 7, 17, 33, 96];
const SIZES: Array<[number, number]> = [[1, 1], [2, 2], [3, 3], [7, 7], [5, 7], [9, 9], [13, 11]];

describe('dwconv host helpers', () => {
  it('dispatches specialised kernels by size and horizontal stride, else the generic one', () => {
    expect(selectDwconvKernel(3, 3, 1)).toBe('f32-dwconv-3x3-x4');
    expect(selectDwconvKernel(3, 3, 2)).toBe('f32-dwconv-3x3s2-x4');
    expect(selectDwconvKernel(5, 5, 1)).toBe('f32-dwconv-5x5-x4');
    expect(selectDwconvKernel(5, 5, 2)).toBe('f32-dwconv-5x5s2-x4');
    expect(selectDwconvKernel(3, 3, 3)).toBe(DWCONV_GENERIC);
    expect(selectDwconvKernel(3, 5, 1)).toBe(DWCONV_GENERIC);
    expect(selectDwconvKernel(7, 7, 1)).toBe(DWCONV_GENERIC);
    for (const name of new Set(TARGETS.map(expectedKernel))) expect(DWCONV_KERNELS.map((x) => x.name)).toContain(name);
  });

  it('packs [kh][kw][c] weights into bias + taps blocks of 4 channels, zero padded', () => {
    const c = 5, kh = 1, kw = 2;
    const w = Float32Array.from({ length: kh * kw * c }, (_, i) => i + 1); // w[t][ch] = t*5 + ch + 1
    const b = Float32Array.from([10, 20, 30, 40, 50]);
    const p = packDwconvWeights(w, b, c, kh, kw);
    expect(p.length).toBe(packedDwconvSize(c, kh, kw));
    expect(Array.from(p)).toEqual([10, 20, 30, 40, 1, 2, 3, 4, 6, 7, 8, 9, 50, 0, 0, 0, 5, 0, 0, 0, 10, 0, 0, 0]);
    expect(Array.from(packDwconvWeights(w, null, c, kh, kw).subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(() => packDwconvWeights(w, b, c, 2, 2)).toThrow(ShapeError);
    expect(() => packDwconvWeights(w, b.subarray(0, 4), c, kh, kw)).toThrow(/bias/);
  });

  it('tfSamePadAxis matches TF SAME (asymmetric for even totals)', () => {
    expect(tfSamePadAxis(112, 3, 2)).toEqual([0, 1, 56]);
    expect(tfSamePadAxis(113, 3, 2)).toEqual([1, 1, 57]);
    expect(tfSamePadAxis(56, 3, 1)).toEqual([1, 1, 56]);
    expect(tfSamePadAxis(14, 5, 2)).toEqual([1, 2, 7]);
    expect(tfSamePadAxis(7, 3, 1, 4)).toEqual([4, 4, 7]);
  });
});

describe.each(VARIANTS)('f32-dwconv (%s build)', (variant) => {
  describe.each(TARGETS)('$label', (tg) => {
    const want = expectedKernel(tg);
    const base = { kh: tg.kh, kw: tg.kw, strideH: tg.s, strideW: tg.s, dilationH: 1, dilationW: 1, kernel: tg.kernel };

    it('channels x spatial sizes with TF SAME padding and channel slices (relu6)', async () => {
      const k = await kernelsFor(variant);
      let seed = 1;
      for (const c of CHANNELS) {
        for (const [h, w] of SIZES) {
          const [pt, pb] = tfSamePadAxis(h, tg.kh, tg.s);
          const [pl, pr] = tfSamePadAxis(w, tg.kw, tg.s);
          const slices = seed % 2 ? { xOff: 2, xExtra: 3, yOff: 3, yExtra: 1 } : {};
          const t: Case = { ...base, inH: h, inW: w, c, padTop: pt, padLeft: pl, padBottom: pb, padRight: pr, act: Act.relu6, ...slices };
          expect(runCase(k, t, seed++)).toBe(want);
        }
      }
    });

    it('VALID (no padding) and padding on each side separately', async () => {
      const k = await kernelsFor(variant);
      let seed = 100;
      const e = tg.kh; // enough padding to matter
      const pads: Array<[number, number, number, number]> = [
        [0, 0, 0, 0], [e - 1, 0, 0, 0], [0, e - 1, 0, 0], [0, 0, e - 1, 0], [0, 0, 0, e - 1], [1, 2, 0, 1], [e + 2, 0, e + 1, 0], [0, e + 3, 0, e],
      ];
      for (const c of [1, 5, 17, 33]) {
        for (const [h, w] of [[7, 7], [5, 7], [9, 9], [13, 11], [3, 16]] as Array<[number, number]>) {
          for (const [pt, pb, pl, pr] of pads) {
            if (convOutSize(h, tg.kh, tg.s, 1, pt, pb) < 1 || convOutSize(w, tg.kw, tg.s, 1, pl, pr) < 1) continue;
            const t: Case = { ...base, inH: h, inW: w, c, padTop: pt, padBottom: pb, padLeft: pl, padRight: pr, act: Act.linear, xAtEnd: seed % 3 === 0 };
            expect(runCase(k, t, seed++)).toBe(want);
          }
        }
      }
    });

    it('implied trailing padding: largest allowed outH/outW and smaller ones', async () => {
      const k = await kernelsFor(variant);
      let seed = 200;
      for (const c of [3, 7, 33]) {
        for (const [h, w, pt, pl] of [[7, 7, 0, 0], [9, 13, 1, 2], [2, 2, 0, 1], [6, 10, 3, 0]]) {
          const maxH = Math.floor((h - 1 + pt) / tg.s) + 1;
          const maxW = Math.floor((w - 1 + pl) / tg.s) + 1;
          for (const [oh, ow] of [[maxH, maxW], [Math.max(1, maxH - 2), maxW], [maxH, 1]]) {
            const t: Case = { ...base, inH: h, inW: w, c, padTop: pt, padLeft: pl, outH: oh, outW: ow, act: Act.relu, yOff: 1, yExtra: 2 };
            expect(runCase(k, t, seed++)).toBe(want);
          }
        }
      }
    });

    it('dilation 2 and 4 (SAME and VALID)', async () => {
      const k = await kernelsFor(variant);
      let seed = 300;
      for (const d of [2, 4]) {
        for (const c of [1, 7, 17, 33]) {
          for (const [h, w] of [[7, 7], [13, 11], [9, 20], [17, 17]] as Array<[number, number]>) {
            const [pt, pb] = tfSamePadAxis(h, tg.kh, tg.s, d);
            const [pl, pr] = tfSamePadAxis(w, tg.kw, tg.s, d);
            const same: Case = { ...base, dilationH: d, dilationW: d, inH: h, inW: w, c, padTop: pt, padBottom: pb, padLeft: pl, padRight: pr, act: Act.hswish };
            expect(runCase(k, same, seed++)).toBe(want);
            if (convOutSize(h, tg.kh, tg.s, d, 0, 0) >= 1 && convOutSize(w, tg.kw, tg.s, d, 0, 0) >= 1) {
              const valid: Case = { ...same, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, dilationH: 1, act: Act.linear };
              expect(runCase(k, valid, seed++)).toBe(want);
            }
          }
        }
      }
    });

    it('every activation, with and without bias', async () => {
      const k = await kernelsFor(variant);
      let seed = 400;
      for (const act of ACT_NAMES) {
        for (const [h, w, c] of [[7, 7, 5], [10, 13, 36], [3, 9, 3]]) {
          const [pt, pb] = tfSamePadAxis(h, tg.kh, tg.s);
          const [pl, pr] = tfSamePadAxis(w, tg.kw, tg.s);
          for (const bias of [true, false]) {
            const t: Case = { ...base, inH: h, inW: w, c, padTop: pt, padBottom: pb, padLeft: pl, padRight: pr, act: Act[act] as ActCode, bias };
            expect(runCase(k, t, seed++)).toBe(want);
          }
        }
      }
    });

    it('MobileNet-sized layer (96 channels) writing into the middle of a wider output', async () => {
      const k = await kernelsFor(variant);
      const [pt, pb] = tfSamePadAxis(28, tg.kh, tg.s);
      const [pl, pr] = tfSamePadAxis(28, tg.kw, tg.s);
      const t: Case = { ...base, inH: 28, inW: 28, c: 96, padTop: pt, padBottom: pb, padLeft: pl, padRight: pr, act: Act.relu6, xOff: 8, xExtra: 8, yOff: 32, yExtra: 32 };
      expect(runCase(k, t, 500)).toBe(want);
    });

    it('seeded random shapes (100 draws)', async () => {
      const k = await kernelsFor(variant);
      const rand = rng(0xd3c0 + tg.kh * 10 + tg.s);
      for (let i = 0; i < 100; i++) {
        const d = [1, 1, 1, 2, 4][randInt(rand, 0, 4)];
        const dH = rand() < 0.8 ? d : [1, 2, 3][randInt(rand, 0, 2)];
        const sH = rand() < 0.8 ? tg.s : randInt(rand, 1, 3);
        const inH = randInt(rand, 1, 20);
        const inW = randInt(rand, 1, 24);
        const c = randInt(rand, 1, 40);
        const padTop = randInt(rand, 0, tg.kh + 1);
        const padLeft = randInt(rand, 0, tg.kw + 1);
        const maxH = Math.floor((inH - 1 + padTop) / sH) + 1;
        const maxW = Math.floor((inW - 1 + padLeft) / tg.s) + 1;
        const t: Case = {
          ...base, inH, inW, c, strideH: sH, dilationH: dH, dilationW: d, padTop, padLeft,
          outH: randInt(rand, 1, maxH), outW: rand() < 0.5 ? maxW : randInt(rand, 1, maxW),
          act: randInt(rand, 0, ACT_NAMES.length - 1) as ActCode,
          xOff: randInt(rand, 0, 3), xExtra: randInt(rand, 0, 5), yOff: randInt(rand, 0, 3), yExtra: randInt(rand, 0, 5),
          bias: rand() < 0.8, xAtEnd: rand() < 0.3,
        };
        expect(runCase(k, t, 1000 + i)).toBe(want);
      }
    });
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const c = 8;
    const x = k.arena.allocF32(10 * 10 * c);
    const y = k.arena.allocF32(10 * 10 * c);
    const w = k.arena.put(packDwconvWeights(new Float32Array(9 * c), null, c, 3, 3));
    const ok = {
      inH: 10, inW: 10, c, x, outH: 10, outW: 10, y, w, kh: 3, kw: 3, padTop: 1, padLeft: 1, act: Act.relu as ActCode,
    };
    expect(dwconv(k, ok)).toBe('f32-dwconv-3x3-x4');
    expect(() => dwconv(k, { ...ok, inH: 0 })).toThrow(ShapeError);
    expect(() => dwconv(k, { ...ok, c: 2.5 })).toThrow(/'c' = 2.5/);
    expect(() => dwconv(k, { ...ok, kh: 0 })).toThrow(/'kh' = 0/);
    expect(() => dwconv(k, { ...ok, strideH: 0 })).toThrow(/'strideH' = 0/);
    expect(() => dwconv(k, { ...ok, dilationW: -1 })).toThrow(/'dilationW' = -1/);
    expect(() => dwconv(k, { ...ok, padTop: -1 })).toThrow(/'padTop' = -1/);
    expect(() => dwconv(k, { ...ok, act: 12 as ActCode })).toThrow(/activation code 12/);
    expect(() => dwconv(k, { ...ok, xStride: 4 })).toThrow(/'xStride' = 4/);
    expect(() => dwconv(k, { ...ok, yStride: 7 })).toThrow(/'yStride' = 7/);
    // outH beyond the implied-padding rule: (outH - 1) * stride - padTop <= inH - 1
    expect(() => dwconv(k, { ...ok, outH: 12 })).toThrow(/'outH' = 12 is too large/);
    expect(() => dwconv(k, { ...ok, outW: 5, strideW: 2, padLeft: 0 })).not.toThrow();
    expect(() => dwconv(k, { ...ok, outW: 6, strideW: 2, padLeft: 0 })).toThrow(/'outW' = 6 is too large/);
    expect(() => dwconv(k, { ...ok, outW: 5, strideW: 2, padLeft: 0, padRight: 0 })).toThrow(/'outW' = 5 must equal/);
    expect(dwconv(k, { ...ok, outW: 4, strideW: 2, padLeft: 0, padRight: 0 })).toBe('f32-dwconv-3x3s2-x4');
    expect(() => dwconv(k, { ...ok, inH: 1, outH: 1, padTop: 0, padBottom: 0 })).toThrow(/smaller than the dilated kernel/);
    // buffers
    expect(() => dwconv(k, { ...ok, x: 0 })).toThrow(BufferError);
    expect(() => dwconv(k, { ...ok, y: x + 4 })).toThrow(/overlaps input/);
    expect(() => dwconv(k, { ...ok, y: w })).toThrow(BufferError);
    expect(() => dwconv(k, { ...ok, y: k.memory.buffer.byteLength - 64 })).toThrow(/spans bytes/);
    // weights packed for 3x3 (80 floats) placed at the end of memory, used as 5x5 (208 floats)
    const wEnd = k.arena.allocAtEnd(80 * 4);
    expect(() => dwconv(k, { ...ok, w: wEnd })).not.toThrow();
    expect(() => dwconv(k, { ...ok, w: wEnd, kh: 5, kw: 5, padTop: 2, padLeft: 2 })).toThrow(/buffer 'w' spans bytes/);
    expect(() => dwconv(k, { ...ok, kernel: 'f32-dwconv-5x5-x4' })).toThrow(/cannot run/);
  });

  it('lets input and output be disjoint channel slices of one tensor', async () => {
    const k = await kernelsFor(variant);
    const ran = runCase(k, {
      inH: 6, inW: 6, c: 4, kh: 3, kw: 3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, act: Act.linear,
    }, 77);
    expect(ran).toBe('f32-dwconv-3x3-x4');
    // shared tensor: x = channels [0, 4), y = channels [4, 8) of an 8-channel tensor
    k.arena.reset();
    const t = k.arena.put(randomArray(6 * 6 * 8, rng(5)));
    const w = k.arena.put(packDwconvWeights(randomArray(36, rng(6)), null, 4, 3, 3));
    const args = { inH: 6, inW: 6, c: 4, x: t, xStride: 8, outH: 6, outW: 6, y: t + 16, yStride: 8, w, kh: 3, kw: 3, padTop: 1, padLeft: 1, act: Act.linear as ActCode };
    expect(() => dwconv(k, args)).not.toThrow();
    expect(() => dwconv(k, { ...args, y: t + 8 })).toThrow(/overlaps input/);
  });
});
