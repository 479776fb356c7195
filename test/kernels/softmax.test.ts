import { describe, expect, it } from 'vitest';
import { softmax } from '../../src/kernels/softmax.js';
import { refSoftmax } from '../../src/reference/softmax.js';
import { BufferError, ShapeError } from '../../src/errors.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance: max |diff| <= 1e-5 * max |reference| (expectClose default); every written row must
// also sum to 1 within 1e-5.
const COLS = [1, 2, 3, 4, 5, 7, 8, 9, 17, 33, 100, 1000, 1001];

function expectRowsSumToOne(y: Float32Array, rows: number, cols: number, stride: number, label: string): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += y[r * stride + c];
    expect(Math.abs(s - 1), `${label}: row ${r} sums to ${s}`).toBeLessThanOrEqual(1e-5);
  }
}

describe('softmax reference', () => {
  it('hand-computed: [0, ln 3] -> [1/4, 3/4], shift invariant, uniform row', () => {
    const y = new Float32Array(2);
    refSoftmax(1, 2, Float32Array.from([0, Math.log(3)]), 2, y, 2);
    expectClose(y, [0.25, 0.75], 'ln3', 1e-7);
    refSoftmax(1, 2, Float32Array.from([500, 500 + Math.log(3)]), 2, y, 2);
    expectClose(y, [0.25, 0.75], 'shifted', 1e-5);
    const u = new Float32Array(5);
    refSoftmax(1, 5, new Float32Array(5).fill(-7), 5, u, 5);
    expectClose(u, [0.2, 0.2, 0.2, 0.2, 0.2], 'uniform', 1e-7);
  });
});

describe.each(VARIANTS)('f32-softmax-x8 (%s build)', (variant) => {
  it('matches the reference on awkward shapes, strided views, untouched padding, rows sum to 1', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(51);
    for (const rows of [1, 2, 4, 49, 15]) {
      for (const cols of COLS) {
        for (const [xpad, ypad] of [[0, 0], [3, 5]]) {
          k.arena.reset();
          const xs = cols + xpad;
          const ys = cols + ypad;
          const xn = (rows - 1) * xs + cols;
          const yn = (rows - 1) * ys + cols;
          const x = randomArray(xn, rand, -10, 10);
          const xp = k.arena.put(x);
          const yp = k.arena.allocAtEnd(yn * 4);
          const sentinel = randomArray(yn, rand, 0, 1);
          k.arena.write(yp, sentinel);
          softmax(k, { rows, cols, x: xp, xStride: xs, y: yp, yStride: ys });
          const want = sentinel.slice();
          refSoftmax(rows, cols, x, xs, want, ys);
          const got = k.arena.read(yp, yn);
          const label = `${rows}x${cols} strides ${xs}/${ys}`;
          expectClose(got, want, label);
          // relative accuracy per element where it matters (elements above 1e-3 of the row max)
          for (let i = 0; i < yn; i++) {
            if (i % ys < cols && want[i] > 1e-3) expect(Math.abs(got[i] - want[i]) / want[i], `${label} @${i}`).toBeLessThanOrEqual(1e-5);
            if (i % ys >= cols) expect(got[i], `${label}: padding @${i}`).toBe(want[i]);
          }
          expectRowsSumToOne(got, rows, cols, ys, label);
        }
      }
    }
  });

  it('large logits stay finite: [1000, -1000], all 1000, mixed +-1e4, ties', async () => {
    const k = await kernelsFor(variant);
    const cases: number[][] = [
      [1000, -1000],
      [-1000, 1000, 0],
      [1000, 1000, 1000, 1000, 1000],
      [-1000, -1000, -1000],
      [1e4, -1e4, 5e3, 1e4, -3e4, 0, 2, 9999.5, 1e4],
      [88, 89, 90, -90, -200, 0, 3.4e38],
      [-3.4e38, 0, 1],
    ];
    for (const row of cases) {
      k.arena.reset();
      const x = Float32Array.from(row);
      const xp = k.arena.put(x);
      const yp = k.arena.allocAtEnd(row.length * 4);
      softmax(k, { rows: 1, cols: row.length, x: xp, y: yp });
      const got = k.arena.read(yp, row.length);
      const want = new Float32Array(row.length);
      refSoftmax(1, row.length, x, row.length, want, row.length);
      for (const v of got) expect(Number.isFinite(v), `${row.join(',')}: ${Array.from(got).join(',')}`).toBe(true);
      expectClose(got, want, `logits ${row.join(',')}`);
      expectRowsSumToOne(got, 1, row.length, row.length, `logits ${row.join(',')}`);
    }
  });

  it('works in place, including a 1000-class row and 256*256 x 2 pixels', async () => {
    const k = await kernelsFor(variant);
    for (const [rows, cols] of [[1, 1000], [256 * 256, 2], [3, 21]]) {
      k.arena.reset();
      const x = randomArray(rows * cols, rng(rows + cols), -20, 20);
      const p = k.arena.put(x);
      softmax(k, { rows, cols, x: p, y: p });
      const want = new Float32Array(rows * cols);
      refSoftmax(rows, cols, x, cols, want, cols);
      const got = k.arena.read(p, rows * cols);
      expectClose(got, want, `in place ${rows}x${cols}`);
      expectRowsSumToOne(got, Math.min(rows, 500), cols, cols, `in place ${rows}x${cols}`);
    }
  });

  it('seeded random shapes (100 draws)', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(5150);
    for (let draw = 0; draw < 100; draw++) {
      k.arena.reset();
      const rows = randInt(rand, 1, 20);
      const cols = randInt(rand, 1, 300);
      const scale = [1, 10, 100][randInt(rand, 0, 2)];
      const xs = cols + randInt(rand, 0, 7);
      const ys = cols + randInt(rand, 0, 7);
      const xn = (rows - 1) * xs + cols;
      const yn = (rows - 1) * ys + cols;
      const x = randomArray(xn, rand, -scale, scale);
      const xp = k.arena.put(x);
      const yp = k.arena.allocAtEnd(yn * 4);
      const sentinel = randomArray(yn, rand, 0, 1);
      k.arena.write(yp, sentinel);
      softmax(k, { rows, cols, x: xp, xStride: xs, y: yp, yStride: ys });
      const want = sentinel.slice();
      refSoftmax(rows, cols, x, xs, want, ys);
      const got = k.arena.read(yp, yn);
      const label = `draw ${draw}: ${rows}x${cols} scale ${scale} strides ${xs}/${ys}`;
      expectClose(got, want, label);
      expectRowsSumToOne(got, rows, cols, ys, label);
    }
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const p = k.arena.allocF32(64);
    const q = k.arena.allocF32(64);
    expect(() => softmax(k, { rows: -1, cols: 4, x: p, y: q })).toThrow(/'rows' = -1/);
    expect(() => softmax(k, { rows: 2, cols: 4, x: p, xStride: 3, y: q })).toThrow(ShapeError);
    expect(() => softmax(k, { rows: 2, cols: 8, x: p, y: p + 16 })).toThrow(/overlap/);
    expect(() => softmax(k, { rows: 2, cols: 8, x: p, y: p, yStride: 9 })).toThrow(BufferError);
    expect(() => softmax(k, { rows: 1, cols: 4, x: 0, y: q })).toThrow(BufferError);
    expect(() => softmax(k, { rows: 1, cols: 1 << 28, x: p, y: q })).toThrow(/spans bytes/);
  });
});
