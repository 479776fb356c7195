import { describe, expect, it } from 'vitest';
import { BufferError, ShapeError } from '../../src/errors.js';
import { ACT_NAMES, Act, type ActCode } from '../../src/kernels/act.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { BINARY_OP_NAMES, BinaryOp, type BinaryOpName, seGate, vbinary, vbinaryScalar } from '../../src/kernels/vbinary.js';
import { viewsOverlap, type View } from '../../src/kernels/validate.js';
import { refSeGate, refVbinary, refVbinaryScalar } from '../../src/reference/vbinary.js';
import { VARIANTS, expectClose, kernelsFor, randInt, randomArray, rng } from '../helpers/kernels.js';

// Tolerance everywhere: max |diff| <= 1e-5 * max |reference output| (expectClose's default).

/** One call: rows x cols views of a, b (bStride 0 = broadcast row), y as channel slices of wider tensors. */
interface Case {
  rows: number;
  cols: number;
  aOff: number;
  aExtra: number;
  bOff: number;
  bExtra: number; // ignored when broadcast
  broadcast: boolean;
  yOff: number;
  yExtra: number;
}

// rows, cols, aOff/aExtra, bOff/bExtra, broadcast, yOff/yExtra
const SHAPES: Case[] = [];
for (const cols of [1, 3, 5, 7, 17, 33]) {
  for (const rows of [1, 4, 9]) {
    const i = SHAPES.length;
    SHAPES.push({
      rows, cols,
      aOff: i % 3 === 1 ? 2 : 0, aExtra: i % 3 === 1 ? 3 : 0,
      bOff: i % 2, bExtra: i % 4,
      broadcast: i % 2 === 0,
      yOff: i % 3 === 2 ? 0 : i % 3, yExtra: i % 3 === 2 ? 5 : i % 3,
    });
  }
}

/**
 * Checks y (a slice of a wider tensor) within tolerance and that every float outside the slice
 * is bit-identical to before (untouched channels, trailing spare floats).
 */
function expectSlice(got: Float32Array, want: Float32Array, before: Float32Array, rows: number, stride: number, off: number, cols: number, label: string): void {
  expectClose(got, want, label);
  const inside = new Uint8Array(got.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) inside[r * stride + off + c] = 1;
  for (let i = 0; i < got.length; i++) {
    if (!inside[i] && !Object.is(got[i], before[i])) throw new Error(`${label}: float ${i} outside the output slice changed (${before[i]} -> ${got[i]})`);
  }
}

/** Runs vbinary (or vbinaryScalar when s is given) on case `cs`, output at the very end of memory. */
function runCase(k: Kernels, op: BinaryOpName, cs: Case, act: ActCode, rand: () => number, s?: number): void {
  k.arena.reset();
  const { rows, cols } = cs;
  const aStride = cs.aOff + cols + cs.aExtra;
  const bStride = cs.broadcast ? 0 : cs.bOff + cols + cs.bExtra;
  const yStride = cs.yOff + cols + cs.yExtra;
  const a = randomArray(rows * aStride, rand, -5, 5);
  const b = randomArray(cs.broadcast ? cs.bOff + cols : rows * bStride, rand, -5, 5);
  const yn = rows * yStride;
  const before = randomArray(yn, rand, 100, 200);
  const ap = k.arena.put(a);
  const bp = k.arena.put(b);
  const yb = k.arena.allocAtEnd(yn * 4);
  k.arena.write(yb, before);
  const want = before.slice();
  const label = `${op} ${rows}x${cols} ${JSON.stringify(cs)} ${ACT_NAMES[act]}${s === undefined ? '' : ` s=${s}`}`;
  if (s === undefined) {
    vbinary(k, { op, rows, cols, a: ap + 4 * cs.aOff, aStride, b: bp + 4 * cs.bOff, bStride, y: yb + 4 * cs.yOff, yStride, act });
    refVbinary(BinaryOp[op], rows, cols, a.subarray(cs.aOff), aStride, b.subarray(cs.bOff), bStride, want.subarray(cs.yOff), yStride, act);
  } else {
    vbinaryScalar(k, { op, rows, cols, a: ap + 4 * cs.aOff, aStride, s, y: yb + 4 * cs.yOff, yStride, act });
    refVbinaryScalar(BinaryOp[op], rows, cols, a.subarray(cs.aOff), aStride, s, want.subarray(cs.yOff), yStride, act);
  }
  expectSlice(k.arena.read(yb, yn), want, before, rows, yStride, cs.yOff, cols, label);
}

function randomCase(rand: () => number): Case {
  return {
    rows: randInt(rand, 1, 20), cols: randInt(rand, 1, 70),
    aOff: randInt(rand, 0, 3), aExtra: randInt(rand, 0, 3),
    bOff: randInt(rand, 0, 3), bExtra: randInt(rand, 0, 3), broadcast: rand() < 0.5,
    yOff: randInt(rand, 0, 3), yExtra: randInt(rand, 0, 3),
  };
}

describe.each(VARIANTS)('f32-vbinary-x8 (%s build)', (variant) => {
  for (const op of BINARY_OP_NAMES) {
    it(`${op}: broadcast and full b, channel slices, output at the end of memory (tol 1e-5 of max|ref|)`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(31);
      for (const cs of SHAPES) runCase(k, op, cs, Act.linear, rand);
    });
  }

  for (const act of ACT_NAMES) {
    it(`fused ${act} on every op`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(32);
      for (const op of BINARY_OP_NAMES) for (const cs of [SHAPES[10], SHAPES[13], SHAPES[17]]) runCase(k, op, cs, Act[act] as ActCode, rand);
    });
  }

  it('in place: y == a and y == b (same view), strided channel slice', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(33);
    for (const which of ['a', 'b'] as const) {
      for (const op of BINARY_OP_NAMES) {
        k.arena.reset();
        // rows 6, cols 13: a slice [2, 15) of a 20-channel tensor, updated in place
        const t = randomArray(6 * 20, rand, -3, 3);
        const o = randomArray(6 * 13, rand, -3, 3);
        const tp = k.arena.put(t);
        const op2 = k.arena.put(o);
        const slice = tp + 8;
        const want = t.slice();
        if (which === 'a') {
          vbinary(k, { op, rows: 6, cols: 13, a: slice, aStride: 20, b: op2, y: slice, yStride: 20, act: Act.relu });
          refVbinary(BinaryOp[op], 6, 13, t.subarray(2), 20, o, 13, want.subarray(2), 20, Act.relu);
        } else {
          vbinary(k, { op, rows: 6, cols: 13, a: op2, b: slice, bStride: 20, y: slice, yStride: 20, act: Act.relu });
          refVbinary(BinaryOp[op], 6, 13, o, 13, t.subarray(2), 20, want.subarray(2), 20, Act.relu);
        }
        expectSlice(k.arena.read(tp, t.length), want, t, 6, 20, 2, 13, `in place y == ${which} ${op}`);
      }
    }
  });

  it('seeded random shapes (100 draws): ops, activations, broadcast, slices', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(4242);
    for (let i = 0; i < 100; i++) {
      const op = BINARY_OP_NAMES[randInt(rand, 0, BINARY_OP_NAMES.length - 1)];
      runCase(k, op, randomCase(rand), randInt(rand, 0, ACT_NAMES.length - 1) as ActCode, rand);
    }
  });

  it('accepts op codes as numbers and rows/cols 0 as a no-op', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const a = k.arena.put([1, 2, 3]);
    const b = k.arena.put([10, 20, 30]);
    const y = k.arena.put([0, 0, 0]);
    vbinary(k, { op: BinaryOp.sub, rows: 1, cols: 3, a, b, y, act: Act.linear });
    expect(Array.from(k.arena.read(y, 3))).toEqual([-9, -18, -27]);
    vbinary(k, { op: 'add', rows: 0, cols: 3, a, b, y, act: Act.linear });
    expect(Array.from(k.arena.read(y, 3))).toEqual([-9, -18, -27]);
  });

  it('rejects bad arguments with typed errors naming the argument', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const a = k.arena.allocF32(64);
    const b = k.arena.allocF32(64);
    const y = k.arena.allocF32(64);
    const ok = { op: 'add' as BinaryOpName, rows: 4, cols: 8, a, b, y, act: Act.linear as ActCode };
    expect(() => vbinary(k, ok)).not.toThrow();
    expect(() => vbinary(k, { ...ok, op: 'pow' as BinaryOpName })).toThrow(/f32-vbinary-x8: argument 'op' = pow is unknown/);
    expect(() => vbinary(k, { ...ok, op: 7 as 0 })).toThrow(ShapeError);
    expect(() => vbinary(k, { ...ok, rows: -1 })).toThrow(/'rows' = -1/);
    expect(() => vbinary(k, { ...ok, cols: 1.5 })).toThrow(/'cols' = 1.5/);
    expect(() => vbinary(k, { ...ok, aStride: 7 })).toThrow(/'aStride' = 7 is smaller than cols = 8/);
    expect(() => vbinary(k, { ...ok, bStride: 3 })).toThrow(/'bStride' = 3/);
    expect(() => vbinary(k, { ...ok, yStride: -8 })).toThrow(/'yStride'/);
    expect(() => vbinary(k, { ...ok, act: 17 as ActCode })).toThrow(/activation code 17/);
    expect(() => vbinary(k, { ...ok, b: 0 })).toThrow(BufferError);
    expect(() => vbinary(k, { ...ok, a: a + 1 })).toThrow(/pointer 'a'/);
    expect(() => vbinary(k, { ...ok, rows: 1 << 26 })).toThrow(/buffer 'a' spans bytes/);
    expect(() => vbinary(k, { ...ok, y: a + 4 })).toThrow(/output 'y' overlaps input 'a' without being the same view/);
    expect(() => vbinary(k, { ...ok, y: a, yStride: 9, aStride: 9, rows: 3 })).not.toThrow();
    expect(() => vbinary(k, { ...ok, y: a, yStride: 16, rows: 2 })).toThrow(/overlaps input 'a'/);
    // disjoint channel slices of one tensor are fine; a broadcast b must not be overwritten
    expect(() => vbinary(k, { ...ok, rows: 4, cols: 4, a, aStride: 8, b, bStride: 0, y: a + 16, yStride: 8 })).not.toThrow();
    expect(() => vbinary(k, { ...ok, bStride: 0, y: b })).toThrow(/output 'y' overlaps input 'b'/);
  });
});

describe.each(VARIANTS)('f32-vbinary-x8-scalar (%s build)', (variant) => {
  for (const op of BINARY_OP_NAMES) {
    it(`${op} with a scalar on every shape, every activation`, async () => {
      const k = await kernelsFor(variant);
      const rand = rng(51);
      for (const cs of SHAPES) runCase(k, op, cs, Act.linear, rand, 0.1 + 3 * rand());
      for (const act of ACT_NAMES) runCase(k, op, SHAPES[13], Act[act] as ActCode, rand, -1.7);
    });
  }

  it('seeded random shapes (100 draws), in place included', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(5151);
    for (let i = 0; i < 100; i++) {
      const op = BINARY_OP_NAMES[randInt(rand, 0, BINARY_OP_NAMES.length - 1)];
      runCase(k, op, randomCase(rand), randInt(rand, 0, ACT_NAMES.length - 1) as ActCode, rand, -4 + 8 * rand());
    }
    k.arena.reset();
    const x = randomArray(21, rand, -9, 9);
    const p = k.arena.put(x);
    vbinaryScalar(k, { op: 'min', rows: 3, cols: 7, a: p, s: 6, y: p, act: Act.relu });
    const want = new Float32Array(21);
    refVbinaryScalar(BinaryOp.min, 3, 7, x, 7, 6, want, 7, Act.relu);
    expectClose(k.arena.read(p, 21), want, 'in place relu(min(x, 6))');
  });

  it('rejects bad arguments with typed errors', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const a = k.arena.allocF32(32);
    const ok = { op: 'mul' as BinaryOpName, rows: 4, cols: 8, a, s: 2, y: a, act: Act.linear as ActCode };
    expect(() => vbinaryScalar(k, ok)).not.toThrow();
    expect(() => vbinaryScalar(k, { ...ok, s: NaN })).toThrow(/f32-vbinary-x8-scalar: argument 's' = NaN/);
    expect(() => vbinaryScalar(k, { ...ok, op: 'pow' as BinaryOpName })).toThrow(/'op' = pow/);
    expect(() => vbinaryScalar(k, { ...ok, yStride: 2 })).toThrow(/'yStride' = 2/);
    expect(() => vbinaryScalar(k, { ...ok, y: a + 8 })).toThrow(BufferError);
  });
});

describe.each(VARIANTS)('seGate = f32-vbinary-x8 mul with bStride 0 (%s build)', (variant) => {
  it('y[p][c] = act(x[p][c] * g[c]) on SE shapes, channel slices, in place', async () => {
    const k = await kernelsFor(variant);
    const rand = rng(61);
    for (const [pixels, c, xExtra, act] of [[49, 120, 0, Act.linear], [9, 33, 5, Act.relu], [16, 7, 1, Act.hswish], [1, 5, 0, Act.linear]] as const) {
      k.arena.reset();
      const xStride = c + xExtra;
      const x = randomArray(pixels * xStride, rand, -3, 3);
      const g = randomArray(c, rand, 0, 1);
      const xp = k.arena.put(x);
      const gp = k.arena.put(g);
      const yp = k.arena.allocAtEnd(pixels * xStride * 4);
      const before = randomArray(pixels * xStride, rand, 100, 200);
      k.arena.write(yp, before);
      seGate(k, { pixels, c, x: xp, xStride, g: gp, y: yp, yStride: xStride, act });
      const want = before.slice();
      refSeGate(pixels, c, x, xStride, g, want, xStride, act);
      expectSlice(k.arena.read(yp, want.length), want, before, pixels, xStride, 0, c, `seGate ${pixels}x${c}`);
      // in place on the input
      seGate(k, { pixels, c, x: xp, xStride, g: gp, y: xp, yStride: xStride, act });
      const wantIn = x.slice();
      refSeGate(pixels, c, x, xStride, g, wantIn, xStride, act);
      expectSlice(k.arena.read(xp, x.length), wantIn, x, pixels, xStride, 0, c, `seGate in place ${pixels}x${c}`);
    }
  });

  it('reports its own argument names', async () => {
    const k = await kernelsFor(variant);
    k.arena.reset();
    const x = k.arena.allocF32(64);
    const g = k.arena.allocF32(8);
    expect(() => seGate(k, { pixels: -1, c: 8, x, g, y: x })).toThrow(/seGate\): argument 'pixels' = -1/);
    expect(() => seGate(k, { pixels: 8, c: 8, x, xStride: 4, g, y: x })).toThrow(/'xStride' = 4 is smaller than c = 8/);
    expect(() => seGate(k, { pixels: 8, c: 8, x, g: 0, y: x })).toThrow(/pointer 'g'/);
    expect(() => seGate(k, { pixels: 8, c: 8, x, g: x + 32, y: x })).toThrow(/output 'y' overlaps input 'g'/);
  });
});

describe('viewsOverlap (host helper used by the vbinary and pool wrappers)', () => {
  function brute(a: View, b: View): boolean {
    const s = new Set<number>();
    for (let r = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++) s.add(a.ptr / 4 + r * a.stride + c);
    for (let r = 0; r < b.rows; r++) for (let c = 0; c < b.cols; c++) if (s.has(b.ptr / 4 + r * b.stride + c)) return true;
    return false;
  }
  it('is exact for equal strides or single rows and never misses an overlap (2000 random pairs)', () => {
    const rand = rng(8);
    for (let i = 0; i < 2000; i++) {
      const stride = randInt(rand, 1, 12);
      const mk = (name: string, sameStride: boolean): View => {
        const st = sameStride ? stride : randInt(rand, 1, 12);
        const cols = randInt(rand, 1, st);
        return { name, ptr: 4 * randInt(rand, 0, 60), rows: randInt(rand, 1, 6), cols, stride: st };
      };
      const same = rand() < 0.7;
      const a = mk('a', true);
      const b = mk('b', same);
      const truth = brute(a, b);
      const got = viewsOverlap(a, b);
      if (truth) expect(got, JSON.stringify([a, b])).toBe(true);
      if (same || a.rows === 1 || b.rows === 1) {
        if (!(b.rows === 1 && a.cols > b.stride) && !(a.rows === 1 && b.cols > a.stride)) expect(got, JSON.stringify([a, b])).toBe(truth);
      }
    }
  });
});
