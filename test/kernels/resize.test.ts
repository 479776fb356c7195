import { describe, expect, it } from 'vitest';
import { resizeBilinear, resizeNearest, type NearestRounding, type ResizeMode } from '../../src/kernels/resize.js';
import { refResizeBilinear, refResizeNearest, type RefCoordMode, type RefRounding } from '../../src/reference/resize.js';
import { BufferError, ShapeError } from '../../src/errors.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance: max |diff| <= 1e-5 * max |reference| (expectClose default); nearest is exact.
const MODES: ResizeMode[] = ['legacy', 'align_corners', 'half_pixel'];
const MODE_CODE: Record<ResizeMode, RefCoordMode> = { legacy: 0, align_corners: 1, half_pixel: 2 };
const ROUNDINGS: NearestRounding[] = ['floor', 'ceil', 'round_prefer_floor', 'round_prefer_ceil'];
const ROUND_CODE: Record<NearestRounding, RefRounding> = { floor: 0, ceil: 1, round_prefer_floor: 2, round_prefer_ceil: 3 };
const TF_ROUNDING: Record<ResizeMode, NearestRounding> = { legacy: 'floor', align_corners: 'round_prefer_ceil', half_pixel: 'round_prefer_ceil' };
const CHANNELS = [1, 3, 5, 7, 17, 33];
// [in, out] per dimension: x2, x8, 7->3, 3->7, 1->5, 5->1, same size, odd ratios
const SIZES: Array<[number, number]> = [[2, 4], [2, 16], [7, 3], [3, 7], [1, 5], [5, 1], [4, 2], [7, 7], [1, 1], [5, 9]];

/** Plain TF/TF.js-style single-channel image from rows. */
function img(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat());
}

describe('resize references against hand-computed values', () => {
  // x = [[1, 2], [3, 4]] (2x2x1) -> 4x4
  const x = img([[1, 2], [3, 4]]);
  const run = (mode: RefCoordMode): number[] => {
    const y = new Float32Array(16);
    refResizeBilinear(2, 2, 1, x, 1, 4, 4, y, 1, mode);
    return Array.from(y);
  };
  it('bilinear legacy: src = dst/2 -> 0, .5, 1, 1.5 (ceil clamped to 1)', () => {
    expectClose(run(0), [1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4], 'legacy', 1e-7);
  });
  it('bilinear align_corners: src = dst/3 -> 0, 1/3, 2/3, 1', () => {
    const t = 1 / 3;
    expectClose(
      run(1),
      [1, 1 + t, 1 + 2 * t, 2, 1 + 2 * t, 2, 2 + t, 2 + 2 * t, 2 + t, 2 + 2 * t, 3, 3 + t, 3, 3 + t, 3 + 2 * t, 4],
      'align_corners', 1e-7,
    );
  });
  it('bilinear half_pixel: src = (dst+.5)/2 - .5 -> -.25 (clamped), .25, .75, 1.25 (clamped)', () => {
    expectClose(run(2), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4], 'half_pixel', 1e-7);
  });
  it('bilinear matches TF.js test vectors ([2,2,4,4] -> 3x3, both align_corners settings)', () => {
    const src = img([[2, 2], [4, 4]]);
    const y = new Float32Array(9);
    refResizeBilinear(2, 2, 1, src, 1, 3, 3, y, 1, 0);
    expectClose(y, [2, 2, 2, 10 / 3, 10 / 3, 10 / 3, 4, 4, 4], 'tfjs legacy', 1e-7);
    refResizeBilinear(2, 2, 1, src, 1, 3, 3, y, 1, 1);
    expectClose(y, [2, 2, 2, 3, 3, 3, 4, 4, 4], 'tfjs align_corners', 1e-7);
  });
  it('nearest: TF.js [2,2,4,4] -> 3x3 (floor / Math.round), and ties in half_pixel 4 -> 2', () => {
    const src = img([[2, 2], [4, 4]]);
    const y = new Float32Array(9);
    refResizeNearest(2, 2, 1, src, 1, 3, 3, y, 1, 0, 0);
    expect(Array.from(y)).toEqual([2, 2, 2, 2, 2, 2, 4, 4, 4]);
    refResizeNearest(2, 2, 1, src, 1, 3, 3, y, 1, 1, 3);
    expect(Array.from(y)).toEqual([2, 2, 2, 4, 4, 4, 4, 4, 4]);
    // 1x4 -> 1x2, half_pixel: src = 2*(o+.5) - .5 = .5, 2.5: TF (ties up) picks 1, 3; ONNX default (ties down) 0, 2
    const row = img([[10, 20, 30, 40]]);
    const z = new Float32Array(2);
    refResizeNearest(1, 4, 1, row, 1, 1, 2, z, 1, 2, 3);
    expect(Array.from(z)).toEqual([20, 40]);
    refResizeNearest(1, 4, 1, row, 1, 1, 2, z, 1, 2, 2);
    expect(Array.from(z)).toEqual([10, 30]);
    // 1x3 -> 1x2: legacy floor(1.5*o) = 0, 1; align_corners round(2*o) = 0, 2; half_pixel floor(1.5*(o+.5)) = 0, 2
    const r3 = img([[10, 20, 30]]);
    refResizeNearest(1, 3, 1, r3, 1, 1, 2, z, 1, 0, 0);
    expect(Array.from(z)).toEqual([10, 20]);
    refResizeNearest(1, 3, 1, r3, 1, 1, 2, z, 1, 1, 3);
    expect(Array.from(z)).toEqual([10, 30]);
    refResizeNearest(1, 3, 1, r3, 1, 1, 2, z, 1, 2, 3);
    expect(Array.from(z)).toEqual([10, 30]);
  });
});

describe.each(VARIANTS)('f32-resize-bilinear-x4 (%s build)', (variant) => {
  it('hand-computed 2x2 -> 4x4 in every mode, and TensorFlow-produced values ([2,3,2] -> [4,5])', async () => {
    const k = await kernelsFor(variant);
    const t = 1 / 3;
    const want: Record<ResizeMode, number[]> = {
      legacy: [1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4],
      align_corners: [1, 1 + t, 1 + 2 * t, 2, 1 + 2 * t, 2, 2 + t, 2 + 2 * t, 2 + t, 2 + 2 * t, 3, 3 + t, 3, 3 + t, 3 + 2 * t, 4],
      half_pixel: [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4],
    };
    for (const mode of MODES) {
      k.arena.reset();
      const xp = k.arena.put([1, 2, 3, 4]);
      const yp = k.arena.allocAtEnd(16 * 4);
      resizeBilinear(k, { inH: 2, inW: 2, c: 1, x: xp, outH: 4, outW: 4, y: yp, mode });
      expectClose(k.arena.read(yp, 16), want[mode], mode);
    }
    // tfjs-core resize_bilinear_test 'matches tensorflow w/ random numbers' (values from TensorFlow)
    const input = [1.19074044, 0.91373104, 2.01611669, -0.52270832, 0.38725395, 1.30809779, 0.61835143, 3.49600659, 2.09230986, 0.56473997, 0.03823943, 1.19864896];
    const tfLegacy = [
      1.19074047, 0.91373104, 1.68596613, 0.05186744, 1.69034398, -0.15654698, 0.7130264, 0.94193673, 0.38725394, 1.30809784,
      0.9045459, 2.20486879, 1.59434628, 0.89455694, 1.68591988, 0.26748738, 0.58103991, 1.00690198, 0.21274668, 1.25337338,
      0.6183514, 3.49600649, 1.50272655, 1.73724651, 1.68149579, 0.69152176, 0.44905344, 1.07186723, 0.03823943, 1.19864893,
      0.6183514, 3.49600649, 1.50272655, 1.73724651, 1.68149579, 0.69152176, 0.44905344, 1.07186723, 0.03823943, 1.19864893,
    ];
    k.arena.reset();
    const xp = k.arena.put(input);
    const yp = k.arena.allocAtEnd(40 * 4);
    resizeBilinear(k, { inH: 2, inW: 3, c: 2, x: xp, outH: 4, outW: 5, y: yp, mode: 'legacy' });
    expectClose(k.arena.read(yp, 40), tfLegacy, 'TensorFlow values, legacy');
    const input2 = [1.56324531, 2.13817752, 1.44398421, 1.07632684, 0.59306785, -0.36970865, 1.62451879, 1.8367334, 1.13944798, 2.01993218, 2.01919952, 2.67524054];
    const tfAlign = [
      1.5632453, 2.13817763, 1.50361478, 1.60725224, 1.44398427, 1.07632685, 1.01852608, 0.35330909, 0.59306782, -0.36970866,
      1.58366978, 2.03769612, 1.46307099, 1.71427906, 1.3424722, 1.39086199, 1.20545864, 1.01806819, 1.06844509, 0.6452744,
      1.60409427, 1.93721485, 1.42252707, 1.82130599, 1.24096, 1.70539713, 1.3923912, 1.68282723, 1.54382229, 1.66025746,
      1.62451875, 1.83673346, 1.38198328, 1.92833281, 1.13944793, 2.01993227, 1.57932377, 2.34758639, 2.01919961, 2.67524052,
    ];
    k.arena.write(xp, input2);
    resizeBilinear(k, { inH: 2, inW: 3, c: 2, x: xp, outH: 4, outW: 5, y: yp, mode: 'align_corners' });
    expectClose(k.arena.read(yp, 40), tfAlign, 'TensorFlow values, align_corners');
  });

  for (const mode of MODES) {
    it(`${mode}: up and down in each dimension, channels 1..33, strided views with untouched padding`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(31);
      for (const [inH, outH] of SIZES) {
        for (const [inW, outW] of SIZES) {
          for (const c of [CHANNELS[(inH + 2 * inW + outW) % CHANNELS.length], 4]) {
            const xpad = (inH + outW) % 3;
            const ypad = (outH + inW) % 4;
            k.arena.reset();
            const xs = c + xpad;
            const ys = c + ypad;
            const xn = (inH * inW - 1) * xs + c;
            const yn = (outH * outW - 1) * ys + c;
            const x = randomArray(xn, rand, -5, 5);
            const xp = k.arena.put(x);
            const yp = k.arena.allocAtEnd(yn * 4);
            const sentinel = randomArray(yn, rand, 100, 200);
            k.arena.write(yp, sentinel);
            resizeBilinear(k, { inH, inW, c, x: xp, xStride: xs, outH, outW, y: yp, yStride: ys, mode });
            const want = sentinel.slice();
            refResizeBilinear(inH, inW, c, x, xs, outH, outW, want, ys, MODE_CODE[mode]);
            // compare the written pixels with a tolerance relative to the image, padding exactly
            const got = k.arena.read(yp, yn);
            const label = `${mode} ${inH}x${inW} -> ${outH}x${outW} c${c} strides ${xs}/${ys}`;
            const gotPix: number[] = [];
            const wantPix: number[] = [];
            for (let i = 0; i < yn; i++) {
              if (i % ys < c) {
                gotPix.push(got[i]);
                wantPix.push(want[i]);
              } else expect(got[i], `${label}: padding at ${i}`).toBe(want[i]);
            }
            expectClose(gotPix, wantPix, label);
          }
        }
      }
    });
  }

  it('all channel counts on 7x7 -> 3x3 and 3x3 -> 7x7, batch 2', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(32);
    for (const mode of MODES) {
      for (const c of CHANNELS) {
        for (const [inS, outS] of [[7, 3], [3, 7]]) {
          k.arena.reset();
          const batch = 2;
          const x = randomArray(batch * inS * inS * c, rand, -5, 5);
          const xp = k.arena.put(x);
          const yn = batch * outS * outS * c;
          const yp = k.arena.allocAtEnd(yn * 4);
          resizeBilinear(k, { batch, inH: inS, inW: inS, c, x: xp, outH: outS, outW: outS, y: yp, mode });
          const want = new Float32Array(yn);
          for (let n = 0; n < batch; n++) {
            const xi = x.subarray(n * inS * inS * c);
            const yi = want.subarray(n * outS * outS * c);
            refResizeBilinear(inS, inS, c, xi, c, outS, outS, yi, c, MODE_CODE[mode]);
          }
          expectClose(k.arena.read(yp, yn), want, `${mode} batch ${inS} -> ${outS} c${c}`);
        }
      }
    }
  });

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(2024);
    for (let draw = 0; draw < 100; draw++) {
      k.arena.reset();
      const inH = randInt(rand, 1, 12);
      const inW = randInt(rand, 1, 12);
      const outH = randInt(rand, 1, 20);
      const outW = randInt(rand, 1, 20);
      const c = randInt(rand, 1, 40);
      const mode = MODES[randInt(rand, 0, 2)];
      const xs = c + randInt(rand, 0, 4);
      const ys = c + randInt(rand, 0, 4);
      const xn = (inH * inW - 1) * xs + c;
      const yn = (outH * outW - 1) * ys + c;
      const x = randomArray(xn, rand, -3, 3);
      const xp = k.arena.put(x);
      const yp = k.arena.allocAtEnd(yn * 4);
      const sentinel = randomArray(yn, rand, -3, 3);
      k.arena.write(yp, sentinel);
      resizeBilinear(k, { inH, inW, c, x: xp, xStride: xs, outH, outW, y: yp, yStride: ys, mode });
      const want = sentinel.slice();
      refResizeBilinear(inH, inW, c, x, xs, outH, outW, want, ys, MODE_CODE[mode]);
      expectClose(k.arena.read(yp, yn), want, `draw ${draw}: ${mode} ${inH}x${inW} -> ${outH}x${outW} c${c} ${xs}/${ys}`);
    }
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const p = k.arena.allocF32(64);
    const q = k.arena.allocF32(256);
    const base = { inH: 2, inW: 2, c: 4, x: p, outH: 4, outW: 4, y: q };
    expect(() => resizeBilinear(k, { ...base, mode: 'nearest' as ResizeMode })).toThrow(/'mode' = nearest must be one of legacy, align_corners, half_pixel/);
    expect(() => resizeBilinear(k, { ...base, inH: 0 })).toThrow(ShapeError);
    expect(() => resizeBilinear(k, { ...base, outW: 2.5 })).toThrow(/'outW' = 2.5/);
    expect(() => resizeBilinear(k, { ...base, xStride: 3 })).toThrow(/xStride/);
    expect(() => resizeBilinear(k, { ...base, y: p })).toThrow(/overlap/);
    expect(() => resizeBilinear(k, { ...base, y: p + 32 })).toThrow(BufferError);
    expect(() => resizeBilinear(k, { ...base, outH: 1 << 20 })).toThrow(/spans bytes/);
    expect(() => resizeBilinear(k, { ...base, x: 4 })).toThrow(BufferError);
  });
});

describe.each(VARIANTS)('f32-resize-nearest-x4 (%s build)', (variant) => {
  it('TF.js vectors: [2,2,4,4] -> 3x3 legacy and align_corners', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const xp = k.arena.put([2, 2, 4, 4]);
    const yp = k.arena.allocAtEnd(9 * 4);
    resizeNearest(k, { inH: 2, inW: 2, c: 1, x: xp, outH: 3, outW: 3, y: yp, mode: 'legacy' });
    expect(Array.from(k.arena.read(yp, 9))).toEqual([2, 2, 2, 2, 2, 2, 4, 4, 4]);
    resizeNearest(k, { inH: 2, inW: 2, c: 1, x: xp, outH: 3, outW: 3, y: yp, mode: 'align_corners' });
    expect(Array.from(k.arena.read(yp, 9))).toEqual([2, 2, 2, 4, 4, 4, 4, 4, 4]);
    const rp = k.arena.put([10, 20, 30, 40]);
    const zp = k.arena.allocF32(2);
    resizeNearest(k, { inH: 1, inW: 4, c: 1, x: rp, outH: 1, outW: 2, y: zp, mode: 'half_pixel' });
    expect(Array.from(k.arena.read(zp, 2))).toEqual([20, 40]);
    resizeNearest(k, { inH: 1, inW: 4, c: 1, x: rp, outH: 1, outW: 2, y: zp, mode: 'half_pixel', rounding: 'round_prefer_floor' });
    expect(Array.from(k.arena.read(zp, 2))).toEqual([10, 30]);
  });

  for (const mode of MODES) {
    it(`${mode}: every rounding, up and down in each dimension, strided views, exact`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(41);
      for (const rounding of [undefined, ...ROUNDINGS]) {
        for (const [inH, outH] of SIZES) {
          for (const [inW, outW] of SIZES) {
            const c = CHANNELS[(inH + outH + 3 * inW + outW) % CHANNELS.length];
            k.arena.reset();
            const xs = c + ((inH + outW) % 3);
            const ys = c + ((outH + inW) % 4);
            const xn = (inH * inW - 1) * xs + c;
            const yn = (outH * outW - 1) * ys + c;
            const x = randomArray(xn, rand, -5, 5);
            const xp = k.arena.put(x);
            const yp = k.arena.allocAtEnd(yn * 4);
            const sentinel = randomArray(yn, rand, 100, 200);
            k.arena.write(yp, sentinel);
            resizeNearest(k, { inH, inW, c, x: xp, xStride: xs, outH, outW, y: yp, yStride: ys, mode, rounding });
            const want = sentinel.slice();
            refResizeNearest(inH, inW, c, x, xs, outH, outW, want, ys, MODE_CODE[mode], ROUND_CODE[rounding ?? TF_ROUNDING[mode]]);
            expectClose(k.arena.read(yp, yn), want, `${mode}/${rounding ?? 'tf'} ${inH}x${inW} -> ${outH}x${outW} c${c}`, 0, 0);
          }
        }
      }
    });
  }

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(77);
    for (let draw = 0; draw < 100; draw++) {
      k.arena.reset();
      const inH = randInt(rand, 1, 12);
      const inW = randInt(rand, 1, 12);
      const outH = randInt(rand, 1, 25);
      const outW = randInt(rand, 1, 25);
      const c = randInt(rand, 1, 40);
      const mode = MODES[randInt(rand, 0, 2)];
      const rounding = ROUNDINGS[randInt(rand, 0, 3)];
      const xs = c + randInt(rand, 0, 4);
      const ys = c + randInt(rand, 0, 4);
      const xn = (inH * inW - 1) * xs + c;
      const yn = (outH * outW - 1) * ys + c;
      const x = randomArray(xn, rand);
      const xp = k.arena.put(x);
      const yp = k.arena.allocAtEnd(yn * 4);
      const sentinel = randomArray(yn, rand);
      k.arena.write(yp, sentinel);
      resizeNearest(k, { inH, inW, c, x: xp, xStride: xs, outH, outW, y: yp, yStride: ys, mode, rounding });
      const want = sentinel.slice();
      refResizeNearest(inH, inW, c, x, xs, outH, outW, want, ys, MODE_CODE[mode], ROUND_CODE[rounding]);
      expectClose(k.arena.read(yp, yn), want, `draw ${draw}: ${mode}/${rounding} ${inH}x${inW} -> ${outH}x${outW} c${c}`, 0, 0);
    }
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const p = k.arena.allocF32(64);
    const q = k.arena.allocF32(256);
    const base = { inH: 2, inW: 2, c: 4, x: p, outH: 4, outW: 4, y: q };
    expect(() => resizeNearest(k, { ...base, rounding: 'round' as NearestRounding })).toThrow(/'rounding' = round/);
    expect(() => resizeNearest(k, { ...base, mode: 'cubic' as ResizeMode })).toThrow(ShapeError);
    expect(() => resizeNearest(k, { ...base, c: -1 })).toThrow(/'c' = -1/);
    expect(() => resizeNearest(k, { ...base, yStride: 2 })).toThrow(/yStride/);
    expect(() => resizeNearest(k, { ...base, y: p + 16 })).toThrow(/overlap/);
    expect(() => resizeNearest(k, { ...base, batch: -1 })).toThrow(/'batch' = -1/);
  });
});
