import { describe, expect, it } from 'vitest';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import { channelShuffle, concatChannels, copy2d, crelu, splitChannels } from '../../src/kernels/copy.js';
import { refChannelShuffle, refCopy2d, refCrelu } from '../../src/reference/copy.js';
import { BufferError, ShapeError } from '../../src/errors.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance everywhere: max |diff| <= 1e-5 * max |reference| (expectClose default). Copies are exact.
const CHANNELS = [1, 3, 5, 7, 17, 33];
const PIXELS = [1, 4, 49, 15]; // 1x1, 2x2, 7x7, 3x5

describe.each(VARIANTS)('f32-copy-2d-x8 (%s build)', (variant) => {
  it('matches the reference on awkward shapes and strides; bytes outside the view are untouched', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(7);
    for (const rows of PIXELS) {
      for (const cols of [...CHANNELS, 64, 100]) {
        for (const [xpad, ypad] of [[0, 0], [3, 0], [0, 5], [2, 9]]) {
          k.arena.reset();
          const xs = cols + xpad;
          const ys = cols + ypad;
          const xn = (rows - 1) * xs + cols;
          const yn = (rows - 1) * ys + cols;
          const x = randomArray(xn, rand, -4, 4);
          const xp = k.arena.put(x);
          const yp = k.arena.allocAtEnd(yn * 4);
          const sentinel = randomArray(yn, rand, 10, 20);
          k.arena.write(yp, sentinel);
          copy2d(k, { rows, cols, x: xp, xStride: xs, y: yp, yStride: ys });
          const want = sentinel.slice();
          refCopy2d(rows, cols, x, xs, want, ys);
          expectClose(k.arena.read(yp, yn), want, `${rows}x${cols} strides ${xs}/${ys}`, 0, 0);
        }
      }
    }
  });

  it('concatChannels writes each input into its channel slice; splitChannels reverses it', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(8);
    for (const pixels of PIXELS) {
      for (const cs of [[1, 3], [5, 7, 17], [33, 1], [120, 120], [4, 8, 3]]) {
        k.arena.reset();
        const total = cs.reduce((s, c) => s + c, 0);
        const xs = cs.map((c) => randomArray(pixels * c, rand, -3, 3));
        const ptrs = xs.map((x) => k.arena.put(x));
        const yStride = total + 2; // pad 2 channels that must stay untouched
        const yn = (pixels - 1) * yStride + total;
        const yp = k.arena.allocAtEnd(yn * 4);
        const sentinel = randomArray(yn, rand, 10, 20);
        k.arena.write(yp, sentinel);
        concatChannels(k, { pixels, inputs: cs.map((c, i) => ({ x: ptrs[i], c })), y: yp, yStride });
        const want = sentinel.slice();
        let off = 0;
        cs.forEach((c, i) => {
          const view = new Float32Array(want.buffer, off * 4);
          refCopy2d(pixels, c, xs[i], c, view, yStride);
          off += c;
        });
        expectClose(k.arena.read(yp, yn), want, `concat ${pixels} px ${cs.join('+')}`, 0, 0);
        // split back into fresh buffers
        const outs = cs.map((c) => ({ y: k.arena.allocF32(pixels * c), c }));
        splitChannels(k, { pixels, x: yp, xStride: yStride, outputs: outs });
        cs.forEach((c, i) => expectClose(k.arena.read(outs[i].y, pixels * c), xs[i], `split ${i}`, 0, 0));
      }
    }
  });

  it('copies between disjoint channel slices of one tensor; identical views are a no-op', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const pixels = 9;
    const c = 24;
    const t = randomArray(pixels * c, rng(9));
    const p = k.arena.put(t);
    copy2d(k, { rows: pixels, cols: 7, x: p, xStride: c, y: p + 4 * 10, yStride: c });
    const want = t.slice();
    refCopy2d(pixels, 7, t, c, new Float32Array(want.buffer, 40), c);
    expectClose(k.arena.read(p, pixels * c), want, 'slice to slice', 0, 0);
    copy2d(k, { rows: pixels, cols: c, x: p, y: p });
    expectClose(k.arena.read(p, pixels * c), want, 'identity', 0, 0);
  });

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(1234);
    for (let draw = 0; draw < 100; draw++) {
      k.arena.reset();
      const rows = randInt(rand, 1, 20);
      const cols = randInt(rand, 1, 150);
      const xs = cols + randInt(rand, 0, 9);
      const ys = cols + randInt(rand, 0, 9);
      const xn = (rows - 1) * xs + cols;
      const yn = (rows - 1) * ys + cols;
      const x = randomArray(xn, rand);
      const xp = k.arena.put(x);
      const yp = k.arena.allocAtEnd(yn * 4);
      const sentinel = randomArray(yn, rand, 5, 6);
      k.arena.write(yp, sentinel);
      copy2d(k, { rows, cols, x: xp, xStride: xs, y: yp, yStride: ys });
      const want = sentinel.slice();
      refCopy2d(rows, cols, x, xs, want, ys);
      expectClose(k.arena.read(yp, yn), want, `draw ${draw}: ${rows}x${cols} ${xs}/${ys}`, 0, 0);
    }
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const p = k.arena.allocF32(64);
    const q = k.arena.allocF32(64);
    expect(() => copy2d(k, { rows: -1, cols: 4, x: p, y: q })).toThrow(/'rows' = -1/);
    expect(() => copy2d(k, { rows: 2, cols: 4, x: p, xStride: 3, y: q })).toThrow(ShapeError);
    expect(() => copy2d(k, { rows: 1, cols: 4, x: 0, y: q })).toThrow(BufferError);
    expect(() => copy2d(k, { rows: 1, cols: 4, x: p + 2, y: q })).toThrow(/4-byte-aligned/);
    expect(() => copy2d(k, { rows: 1, cols: 1 << 28, x: p, y: q })).toThrow(/spans bytes/);
    expect(() => copy2d(k, { rows: 2, cols: 8, x: p, y: p + 16 })).toThrow(/output 'y' overlaps input 'x'/);
    expect(() => copy2d(k, { rows: 4, cols: 8, xStride: 16, x: p, yStride: 16, y: p + 4 * 4 })).toThrow(BufferError);
    expect(() => concatChannels(k, { pixels: 2, inputs: [], y: q })).toThrow(ShapeError);
    expect(() => concatChannels(k, { pixels: 2, inputs: [{ x: p, c: 4 }, { x: q + 16, c: 4 }], y: q })).toThrow(/output 'y' overlaps input 'x'/);
    expect(() => concatChannels(k, { pixels: 2, inputs: [{ x: p, c: 4 }], y: q, yStride: 3 })).toThrow(/yStride/);
  });
});

describe.each(VARIANTS)('f32-copy-shuffle-x4 (%s build)', (variant) => {
  it('matches the reference: groups 1/2/3/4/5/8/12, cpg 1..33, pixel strides, untouched padding', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(11);
    for (const groups of [1, 2, 3, 4, 5, 8, 12]) {
      for (const cpg of [1, 3, 4, 5, 7, 8, 17, 33]) {
        for (const pixels of PIXELS) {
          for (const [xpad, ypad] of [[0, 0], [3, 5]]) {
            k.arena.reset();
            const c = groups * cpg;
            const xs = c + xpad;
            const ys = c + ypad;
            const xn = (pixels - 1) * xs + c;
            const yn = (pixels - 1) * ys + c;
            const x = randomArray(xn, rand, -4, 4);
            const xp = k.arena.put(x);
            const yp = k.arena.allocAtEnd(yn * 4);
            const sentinel = randomArray(yn, rand, 10, 20);
            k.arena.write(yp, sentinel);
            channelShuffle(k, { pixels, groups, c, x: xp, xStride: xs, y: yp, yStride: ys });
            const want = sentinel.slice();
            refChannelShuffle(pixels, groups, cpg, x, xs, want, ys);
            expectClose(k.arena.read(yp, yn), want, `g${groups} cpg${cpg} ${pixels}px strides ${xs}/${ys}`, 0, 0);
          }
        }
      }
    }
  });

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(4321);
    for (let draw = 0; draw < 100; draw++) {
      k.arena.reset();
      const groups = randInt(rand, 1, 16);
      const cpg = randInt(rand, 1, 40);
      const pixels = randInt(rand, 1, 30);
      const c = groups * cpg;
      const xs = c + randInt(rand, 0, 6);
      const ys = c + randInt(rand, 0, 6);
      const xn = (pixels - 1) * xs + c;
      const yn = (pixels - 1) * ys + c;
      const x = randomArray(xn, rand);
      const xp = k.arena.put(x);
      const yp = k.arena.allocAtEnd(yn * 4);
      const sentinel = randomArray(yn, rand, 5, 6);
      k.arena.write(yp, sentinel);
      channelShuffle(k, { pixels, groups, c, x: xp, xStride: xs, y: yp, yStride: ys });
      const want = sentinel.slice();
      refChannelShuffle(pixels, groups, cpg, x, xs, want, ys);
      expectClose(k.arena.read(yp, yn), want, `draw ${draw}: g${groups} cpg${cpg} ${pixels}px`, 0, 0);
    }
  });

  it('the reference itself: 1 pixel, groups 3, cpg 2', () => {
    const y = new Float32Array(6);
    refChannelShuffle(1, 3, 2, Float32Array.from([0, 1, 10, 11, 20, 21]), 6, y, 6);
    expect(Array.from(y)).toEqual([0, 10, 20, 1, 11, 21]);
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const p = k.arena.allocF32(64);
    const q = k.arena.allocF32(64);
    expect(() => channelShuffle(k, { pixels: 1, groups: 3, c: 8, x: p, y: q })).toThrow(/divisible by 'groups' = 3/);
    expect(() => channelShuffle(k, { pixels: 1, groups: 0, c: 8, x: p, y: q })).toThrow(ShapeError);
    expect(() => channelShuffle(k, { pixels: 2, groups: 2, c: 8, x: p, y: q, yStride: 7 })).toThrow(/yStride/);
    expect(() => channelShuffle(k, { pixels: 2, groups: 2, c: 8, x: p, y: p + 16 })).toThrow(/overlap/);
    expect(() => channelShuffle(k, { pixels: 2, groups: 2, c: 8, x: p, y: p })).toThrow(BufferError);
    expect(() => channelShuffle(k, { pixels: 1 << 26, groups: 2, c: 8, x: p, y: q })).toThrow(/spans bytes/);
  });
});

describe.each(VARIANTS)('f32-copy-crelu-x4 (%s build)', (variant) => {
  for (const act of ACT_NAMES) {
    it(`${act}: matches the reference (tolerance 1e-5 of max|ref|), untouched padding`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(21);
      for (const c of CHANNELS) {
        for (const pixels of PIXELS) {
          for (const [xpad, ypad] of [[0, 0], [1, 3]]) {
            k.arena.reset();
            const xs = c + xpad;
            const ys = 2 * c + ypad;
            const xn = (pixels - 1) * xs + c;
            const yn = (pixels - 1) * ys + 2 * c;
            const x = randomArray(xn, rand, -8, 8);
            const xp = k.arena.put(x);
            const yp = k.arena.allocAtEnd(yn * 4);
            const sentinel = randomArray(yn, rand, 10, 20);
            k.arena.write(yp, sentinel);
            crelu(k, { pixels, c, x: xp, xStride: xs, y: yp, yStride: ys, act: Act[act] as ActCode });
            const want = sentinel.slice();
            refCrelu(pixels, c, x, xs, want, ys, Act[act] as ActCode);
            expectClose(k.arena.read(yp, yn), want, `${act} c${c} ${pixels}px strides ${xs}/${ys}`);
          }
        }
      }
    });
  }

  it('works in place when x is the first half of y', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const pixels = 7;
    const c = 5;
    const t = randomArray(pixels * 2 * c, rng(22), -3, 3);
    const p = k.arena.put(t);
    crelu(k, { pixels, c, x: p, xStride: 2 * c, y: p, yStride: 2 * c, act: Act.relu });
    const want = new Float32Array(pixels * 2 * c);
    refCrelu(pixels, c, t, 2 * c, want, 2 * c, Act.relu);
    expectClose(k.arena.read(p, pixels * 2 * c), want, 'in place');
  });

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(999);
    for (let draw = 0; draw < 100; draw++) {
      k.arena.reset();
      const c = randInt(rand, 1, 70);
      const pixels = randInt(rand, 1, 30);
      const act = randInt(rand, 0, ACT_NAMES.length - 1) as ActCode;
      const xs = c + randInt(rand, 0, 5);
      const ys = 2 * c + randInt(rand, 0, 5);
      const xn = (pixels - 1) * xs + c;
      const yn = (pixels - 1) * ys + 2 * c;
      const x = randomArray(xn, rand, -6, 6);
      const xp = k.arena.put(x);
      const yp = k.arena.allocAtEnd(yn * 4);
      const sentinel = randomArray(yn, rand, 5, 6);
      k.arena.write(yp, sentinel);
      crelu(k, { pixels, c, x: xp, xStride: xs, y: yp, yStride: ys, act });
      const want = sentinel.slice();
      refCrelu(pixels, c, x, xs, want, ys, act);
      expectClose(k.arena.read(yp, yn), want, `draw ${draw}: c${c} ${pixels}px act ${act}`);
    }
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const p = k.arena.allocF32(64);
    const q = k.arena.allocF32(64);
    expect(() => crelu(k, { pixels: 1, c: 4, x: p, y: q, act: 9 as ActCode })).toThrow(/activation code 9/);
    expect(() => crelu(k, { pixels: 2, c: 4, x: p, y: q, yStride: 7, act: 1 })).toThrow(/'yStride' = 7 is smaller than 2 \* c = 8/);
    expect(() => crelu(k, { pixels: 2, c: 4, x: p, y: p + 16, act: 1 })).toThrow(/overlap/);
    expect(() => crelu(k, { pixels: 1, c: 4, x: 0, y: q, act: 1 })).toThrow(BufferError);
    expect(() => crelu(k, { pixels: 1.5, c: 4, x: p, y: q, act: 1 })).toThrow(ShapeError);
  });
});
