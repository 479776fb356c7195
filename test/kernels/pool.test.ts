import { describe, expect, it } from 'vitest';
import { BufferError, ShapeError } from '../../src/errors.js';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { avgPool, globalAvgPool, maxPool } from '../../src/kernels/pool.js';
import { refAvgPool, refGlobalAvgPool, refMaxPool, type RefPoolShape } from '../../src/reference/pool.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance everywhere: max |diff| <= 1e-5 * max |reference output| (expectClose's default).

type Kind = 'max' | 'avg-excl' | 'avg-incl';
const KINDS: Kind[] = ['max', 'avg-excl', 'avg-incl'];
const CHANNELS = [1, 3, 5, 7, 17, 33];

/** Spatial geometry: input, window, stride, top/left padding, output (bottom/right implied). */
interface Geo {
  label: string;
  inH: number;
  inW: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** TF SAME padding: [before, out]. */
function same(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), out];
}
function sameGeo(inH: number, inW: number, k: number, s: number): Geo {
  const [pt, oh] = same(inH, k, s);
  const [pl, ow] = same(inW, k, s);
  return { label: `${inH}x${inW} ${k}x${k} s${s} SAME`, inH, inW, kh: k, kw: k, strideH: s, strideW: s, padTop: pt, padLeft: pl, outH: oh, outW: ow };
}
/** Explicit padding on each side; floor output size (ONNX ceil_mode=0). */
function padGeo(inH: number, inW: number, kh: number, kw: number, sh: number, sw: number, t: number, b: number, l: number, r: number): Geo {
  const outH = Math.floor((inH + t + b - kh) / sh) + 1;
  const outW = Math.floor((inW + l + r - kw) / sw) + 1;
  return { label: `${inH}x${inW} ${kh}x${kw} s${sh}x${sw} pad t${t} b${b} l${l} r${r}`, inH, inW, kh, kw, strideH: sh, strideW: sw, padTop: t, padLeft: l, outH, outW };
}
/** Ceil-mode output (implied bottom/right padding beyond the explicit one). */
function ceilGeo(inH: number, inW: number, k: number, s: number): Geo {
  const outH = Math.ceil((inH - k) / s) + 1;
  const outW = Math.ceil((inW - k) / s) + 1;
  return { label: `${inH}x${inW} ${k}x${k} s${s} ceil_mode`, inH, inW, kh: k, kw: k, strideH: s, strideW: s, padTop: 0, padLeft: 0, outH, outW };
}

const GEOS: Geo[] = [
  padGeo(1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
  padGeo(2, 2, 2, 2, 2, 2, 0, 0, 0, 0), // 2x2 s2
  padGeo(7, 7, 2, 2, 2, 2, 0, 0, 0, 0), // 2x2 s2 on an odd size (last row/col unused)
  sameGeo(7, 7, 3, 1), // 3x3 s1 SAME
  sameGeo(7, 7, 3, 2), // 3x3 s2 SAME (ShuffleNet v1 shortcut)
  sameGeo(9, 5, 3, 2),
  sameGeo(11, 13, 3, 2),
  sameGeo(2, 2, 3, 2), // window larger than the valid part
  sameGeo(1, 1, 3, 1), // only the centre is input
  padGeo(5, 6, 3, 3, 1, 1, 1, 0, 0, 0), // top only
  padGeo(5, 6, 3, 3, 1, 1, 0, 2, 0, 0), // bottom only
  padGeo(5, 6, 3, 3, 1, 1, 0, 0, 2, 0), // left only
  padGeo(5, 6, 3, 3, 1, 1, 0, 0, 0, 1), // right only
  padGeo(6, 7, 3, 2, 2, 1, 1, 2, 1, 0), // non-square window and strides
  ceilGeo(6, 6, 3, 2), // implied bottom/right padding 1
  ceilGeo(7, 7, 2, 2),
  padGeo(3, 3, 5, 5, 1, 1, 2, 2, 2, 2), // window larger than the input
];

/** Memory layout of one call: channel slices of wider tensors, which buffer sits at the very end. */
interface Layout {
  xOff: number;
  xExtra: number;
  yOff: number;
  yExtra: number;
  atEnd: 'x' | 'y';
}
const LAYOUTS: Layout[] = [
  { xOff: 0, xExtra: 0, yOff: 0, yExtra: 0, atEnd: 'y' },
  { xOff: 2, xExtra: 5, yOff: 1, yExtra: 3, atEnd: 'y' }, // slices of both, untouched channels around y
  { xOff: 0, xExtra: 0, yOff: 3, yExtra: 0, atEnd: 'y' }, // y is the last channels of its tensor
  { xOff: 0, xExtra: 0, yOff: 0, yExtra: 4, atEnd: 'x' }, // input over-read at the end of memory
];

/**
 * Checks y (a slice of the whole output tensor) against `want` within tolerance, and that every
 * float outside the slice (untouched channels, the 16 spare bytes) is bit-identical to before.
 */
function expectSlice(got: Float32Array, want: Float32Array, before: Float32Array, rows: number, stride: number, off: number, cols: number, label: string): void {
  expectClose(got, want, label);
  const inside = new Uint8Array(got.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) inside[r * stride + off + c] = 1;
  for (let i = 0; i < got.length; i++) {
    if (!inside[i] && !Object.is(got[i], before[i])) throw new Error(`${label}: float ${i} outside the output slice changed (${before[i]} -> ${got[i]})`);
  }
}

function runPool(k: Kernels, kind: Kind, g: Geo, c: number, act: ActCode, lay: Layout, rand: () => number): void {
  k.arena.reset();
  const xStride = lay.xOff + c + lay.xExtra;
  const yStride = lay.yOff + c + lay.yExtra;
  const xn = g.inH * g.inW * xStride;
  const yn = g.outH * g.outW * yStride;
  const x = randomArray(xn, rand, -4, 4);
  const before = randomArray(yn + 4, rand, 100, 200); // sentinel: output tensor + spare floats
  let xb: number;
  let yb: number;
  if (lay.atEnd === 'y') {
    xb = k.arena.put(x);
    yb = k.arena.allocAtEnd(yn * 4);
  } else {
    yb = k.arena.allocF32(yn + 4); // + the 4 checked floats after the tensor
    xb = k.arena.allocAtEnd(xn * 4);
    k.arena.write(xb, x);
  }
  // the 4 floats after the output tensor are only writable here when y is not at the end
  const checkN = lay.atEnd === 'y' ? yn : yn + 4;
  k.arena.write(yb, before.subarray(0, checkN));
  const xp = xb + 4 * lay.xOff;
  const yp = yb + 4 * lay.yOff;
  const args = { ...g, c, x: xp, xStride, y: yp, yStride, act };
  const s: RefPoolShape = { ...g, c, xStride, yStride };
  const want = before.slice(0, checkN);
  const xv = x.subarray(lay.xOff);
  const wv = want.subarray(lay.yOff);
  if (kind === 'max') {
    maxPool(k, args);
    refMaxPool(s, xv, wv, act);
  } else {
    const countIncludePad = kind === 'avg-incl';
    avgPool(k, { ...args, countIncludePad });
    refAvgPool(s, xv, wv, countIncludePad, act);
  }
  const label = `${kind} ${g.label} c${c} act ${ACT_NAMES[act]} layout ${JSON.stringify(lay)}`;
  expectSlice(k.arena.read(yb, checkN), want, before.subarray(0, checkN), g.outH * g.outW, yStride, lay.yOff, c, label);
}

describe.each(VARIANTS)('f32-pool-kxk-max / f32-pool-kxk-avg (%s build)', (variant) => {
  for (const kind of KINDS) {
    it(`${kind}: every geometry x channels 1,3,5,7,17,33 x layouts matches the reference (tol 1e-5 of max|ref|)`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(7);
      let n = 0;
      for (const g of GEOS) for (const c of CHANNELS) runPool(k, kind, g, c, Act.linear, LAYOUTS[n++ % LAYOUTS.length], rand);
    });
  }

  for (const act of ACT_NAMES) {
    it(`fused ${act} on every kind`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(11);
      for (const kind of KINDS) {
        for (const g of [sameGeo(7, 7, 3, 2), padGeo(5, 6, 3, 3, 1, 1, 1, 2, 1, 2)]) {
          for (const c of [5, 33]) runPool(k, kind, g, c, Act[act] as ActCode, LAYOUTS[c % LAYOUTS.length], rand);
        }
      }
    });
  }

  it('count_include_pad changes only the border divisor (3x3 s1 SAME, 1 pixel of value 9)', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const x = new Float32Array(9).fill(9);
    const xp = k.arena.put(x);
    const yp = k.arena.allocF32(9);
    const g = sameGeo(3, 3, 3, 1);
    avgPool(k, { ...g, c: 1, x: xp, y: yp, act: Act.linear, countIncludePad: false });
    expect(Array.from(k.arena.read(yp, 9))).toEqual(new Array(9).fill(9));
    avgPool(k, { ...g, c: 1, x: xp, y: yp, act: Act.linear, countIncludePad: true });
    const got = Array.from(k.arena.read(yp, 9));
    expect(got[4]).toBeCloseTo(9, 5); // centre window is all input
    expect(got[0]).toBeCloseTo(4, 5); // corner: 4 inputs of 9 / 9
    expect(got[1]).toBeCloseTo(6, 5); // edge: 6 inputs of 9 / 9
  });

  it('max pooling ignores padding even when every input is negative', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const x = randomArray(7 * 7 * 5, rng(3), -9, -1);
    const xp = k.arena.put(x);
    const g = sameGeo(7, 7, 3, 2);
    const yp = k.arena.allocF32(g.outH * g.outW * 5);
    maxPool(k, { ...g, c: 5, x: xp, y: yp, act: Act.linear });
    const got = k.arena.read(yp, g.outH * g.outW * 5);
    for (const v of got) expect(v).toBeLessThan(0);
  });

  it('seeded random shapes (100 draws) match the reference', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(20240601);
    for (let i = 0; i < 100; i++) {
      const inH = randInt(rand, 1, 12);
      const inW = randInt(rand, 1, 12);
      const kh = randInt(rand, 1, 4);
      const kw = randInt(rand, 1, 4);
      const sh = randInt(rand, 1, 3);
      const sw = randInt(rand, 1, 3);
      const t = randInt(rand, 0, kh - 1);
      const b = randInt(rand, 0, kh - 1);
      const l = randInt(rand, 0, kw - 1);
      const r = randInt(rand, 0, kw - 1);
      if (inH + t + b < kh || inW + l + r < kw) {
        i--;
        continue;
      }
      const g = padGeo(inH, inW, kh, kw, sh, sw, t, b, l, r);
      const c = randInt(rand, 1, 40);
      const lay: Layout = {
        xOff: randInt(rand, 0, 3), xExtra: randInt(rand, 0, 3), yOff: randInt(rand, 0, 3), yExtra: randInt(rand, 0, 3),
        atEnd: rand() < 0.5 ? 'x' : 'y',
      };
      const kind = KINDS[randInt(rand, 0, 2)];
      const act = randInt(rand, 0, ACT_NAMES.length - 1) as ActCode;
      runPool(k, kind, g, c, act, lay, rand);
    }
  });

  it('rejects bad arguments with typed errors naming the argument', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const xp = k.arena.allocF32(7 * 7 * 8);
    const yp = k.arena.allocF32(7 * 7 * 8);
    const ok = { ...sameGeo(7, 7, 3, 2), c: 8, x: xp, y: yp, act: Act.relu as ActCode };
    expect(() => maxPool(k, ok)).not.toThrow();
    expect(() => maxPool(k, { ...ok, act: 12 as ActCode })).toThrow(ShapeError);
    expect(() => maxPool(k, { ...ok, kh: 0 })).toThrow(/f32-pool-kxk-max: argument 'kh' = 0/);
    expect(() => maxPool(k, { ...ok, c: 2.5 })).toThrow(/'c' = 2.5/);
    expect(() => maxPool(k, { ...ok, strideW: -1 })).toThrow(/'strideW' = -1/);
    expect(() => maxPool(k, { ...ok, padTop: 3 })).toThrow(/'padTop' = 3 must be an integer in \[0, 2\]/);
    expect(() => maxPool(k, { ...ok, padLeft: -1 })).toThrow(/'padLeft'/);
    expect(() => maxPool(k, { ...ok, outH: 5 })).toThrow(/'outH' = 5 implies bottom padding 3 >= kh = 3/);
    expect(() => maxPool(k, { ...ok, outW: 9 })).toThrow(/'outW' = 9/);
    expect(() => maxPool(k, { ...ok, xStride: 7 })).toThrow(/'xStride' = 7 is smaller than c = 8/);
    expect(() => maxPool(k, { ...ok, yStride: 4 })).toThrow(/'yStride'/);
    expect(() => maxPool(k, { ...ok, x: 0 })).toThrow(BufferError);
    expect(() => maxPool(k, { ...ok, x: xp + 2 })).toThrow(/'x' = /);
    expect(() => maxPool(k, { ...ok, inH: 1 << 20, outH: 1 << 19 })).toThrow(/buffer 'x' spans bytes/);
    expect(() => maxPool(k, { ...ok, y: xp + 64 })).toThrow(/output 'y' overlaps input 'x'/);
    expect(() => avgPool(k, { ...ok, countIncludePad: true })).not.toThrow();
    expect(() => avgPool(k, { ...ok, countIncludePad: 1 as unknown as boolean })).toThrow(/'countIncludePad' = 1/);
    expect(() => avgPool(k, { ...ok, kw: 40000, countIncludePad: false })).toThrow(/'kw' = 40000/);
  });

  it('pools into a channel slice of the input tensor when the slices are disjoint', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    // x = channels [0, 4) of a 5x5x8 tensor, y = channels [4, 8) of the same tensor (same stride).
    const t = randomArray(5 * 5 * 8, rng(5), -3, 3);
    const tp = k.arena.put(t);
    const g = padGeo(5, 5, 1, 1, 1, 1, 0, 0, 0, 0);
    const want = t.slice();
    refMaxPool({ ...g, c: 4, xStride: 8, yStride: 8 }, t, want.subarray(4), Act.relu);
    maxPool(k, { ...g, c: 4, x: tp, xStride: 8, y: tp + 16, yStride: 8, act: Act.relu });
    expectClose(k.arena.read(tp, t.length), want, 'disjoint slices of one tensor');
  });
});

describe.each(VARIANTS)('f32-pool-global-avg (%s build)', (variant) => {
  function runGlobal(k: Kernels, pixels: number, c: number, act: ActCode, lay: Layout, rand: () => number): void {
    k.arena.reset();
    const xStride = lay.xOff + c + lay.xExtra;
    const xn = pixels * xStride;
    const x = randomArray(xn, rand, -4, 4);
    const yn = lay.yOff + c + lay.yExtra; // y is a slice of a longer vector
    const before = randomArray(yn, rand, 100, 200);
    let xb: number;
    let yb: number;
    if (lay.atEnd === 'y') {
      xb = k.arena.put(x);
      yb = k.arena.allocAtEnd(yn * 4);
    } else {
      yb = k.arena.allocF32(yn);
      xb = k.arena.allocAtEnd(xn * 4);
      k.arena.write(xb, x);
    }
    k.arena.write(yb, before);
    globalAvgPool(k, { pixels, c, x: xb + 4 * lay.xOff, xStride, y: yb + 4 * lay.yOff, act });
    const want = before.slice();
    refGlobalAvgPool(pixels, c, x.subarray(lay.xOff), xStride, want.subarray(lay.yOff), act);
    expectSlice(k.arena.read(yb, yn), want, before, 1, yn, lay.yOff, c, `global ${pixels}px c${c} ${ACT_NAMES[act]} ${JSON.stringify(lay)}`);
  }

  it('channels 1,3,5,7,17,33 x pixels 1,4,49,13 x layouts match the reference', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(99);
    let n = 0;
    for (const pixels of [1, 4, 49, 13]) for (const c of CHANNELS) runGlobal(k, pixels, c, Act.linear, LAYOUTS[n++ % LAYOUTS.length], rand);
  });

  it('every activation (the SE squeeze and head shapes included)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(12);
    for (const act of ACT_NAMES) {
      for (const [pixels, c] of [[49, 96], [9, 37], [196, 24]]) runGlobal(k, pixels, c, Act[act] as ActCode, LAYOUTS[c % LAYOUTS.length], rand);
    }
  });

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(777);
    for (let i = 0; i < 100; i++) {
      const lay: Layout = {
        xOff: randInt(rand, 0, 3), xExtra: randInt(rand, 0, 3), yOff: randInt(rand, 0, 3), yExtra: randInt(rand, 0, 3),
        atEnd: rand() < 0.5 ? 'x' : 'y',
      };
      runGlobal(k, randInt(rand, 1, 60), randInt(rand, 1, 70), randInt(rand, 0, ACT_NAMES.length - 1) as ActCode, lay, rand);
    }
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const xp = k.arena.allocF32(49 * 8);
    const yp = k.arena.allocF32(8);
    const ok = { pixels: 49, c: 8, x: xp, y: yp, act: Act.linear as ActCode };
    expect(() => globalAvgPool(k, ok)).not.toThrow();
    expect(() => globalAvgPool(k, { ...ok, pixels: 0 })).toThrow(/f32-pool-global-avg: argument 'pixels' = 0/);
    expect(() => globalAvgPool(k, { ...ok, c: -2 })).toThrow(ShapeError);
    expect(() => globalAvgPool(k, { ...ok, xStride: 4 })).toThrow(/'xStride' = 4/);
    expect(() => globalAvgPool(k, { ...ok, act: -1 as ActCode })).toThrow(/activation code -1/);
    expect(() => globalAvgPool(k, { ...ok, y: 8 })).toThrow(BufferError);
    expect(() => globalAvgPool(k, { ...ok, y: xp + 4 * 8 * 10 })).toThrow(/overlaps input 'x'/);
    expect(() => globalAvgPool(k, { ...ok, pixels: 1 << 28 })).toThrow(/spans bytes/);
  });
});
