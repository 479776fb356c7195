import { ShapeError } from '../errors.js';
import type { ActCode } from './act.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkStride, checkViewsDisjoint, stridedExtent, type View } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'vbinary',
    tile: 'x8',
    summary:
      'y = act(a OP b) over a strided rows x cols view, OP in add/sub/mul/max/min; bStride 0 broadcasts one b row (per-channel vector); in place allowed',
    reference: 'src/reference/vbinary.ts#refVbinary',
  }),
  defineKernel({
    op: 'vbinary',
    tile: 'x8',
    variant: 'scalar',
    summary: 'y = act(a OP s) for a scalar s over a strided rows x cols view, OP in add/sub/mul/max/min; in place allowed',
    reference: 'src/reference/vbinary.ts#refVbinaryScalar',
  }),
];

/** Binary op codes understood by the f32-vbinary kernels (mirrors assembly/f32-vbinary). */
export const BinaryOp = {
  add: 0,
  sub: 1,
  mul: 2,
  max: 3,
  min: 4,
  div: 5,
  prelu: 6,
} as const;
export type BinaryOpName = keyof typeof BinaryOp;
export type BinaryOpCode = (typeof BinaryOp)[BinaryOpName];
export const BINARY_OP_NAMES = Object.keys(BinaryOp) as BinaryOpName[];

/** Resolves an op name (or code) to its code, or throws a ShapeError naming the kernel. */
export function binaryOpCode(kernel: string, op: BinaryOpName | number): BinaryOpCode {
  if (typeof op === 'string' && Object.prototype.hasOwnProperty.call(BinaryOp, op)) return BinaryOp[op];
  if (typeof op === 'number' && Number.isInteger(op) && op >= 0 && op < BINARY_OP_NAMES.length) return op as BinaryOpCode;
  throw new ShapeError(
    `${kernel}: argument 'op' = ${String(op)} is unknown; use one of ${BINARY_OP_NAMES.map((n, i) => `'${n}' (${i})`).join(', ')}`,
  );
}

export interface VbinaryArgs {
  op: BinaryOpName | BinaryOpCode;
  rows: number;
  cols: number;
  a: number;
  /** Floats between rows of a (default cols). */
  aStride?: number;
  b: number;
  /** Floats between rows of b (default cols); 0 broadcasts one row of b (a per-channel vector). */
  bStride?: number;
  y: number;
  /** Floats between rows of y (default cols). */
  yStride?: number;
  act: ActCode;
}

const VBINARY = 'f32-vbinary-x8';
const VBINARY_SCALAR = 'f32-vbinary-x8-scalar';

/**
 * y[r][c] = act(a[r][c] OP b[r][c]) over strided views, e.g. a residual add
 * (relu(branch + shortcut)), a bias add or per-channel scale (bStride 0). y may be exactly a or
 * b (in place); any other overlap is rejected.
 */
export function vbinary(k: Kernels, args: VbinaryArgs): void {
  vbinaryChecked(k, args, VBINARY);
}

/** Argument names used in error messages (seGate reports its own names). */
interface ArgNames {
  rows: string;
  cols: string;
  a: string;
  aStride: string;
  b: string;
  y: string;
  yStride: string;
}
const VBINARY_NAMES: ArgNames = { rows: 'rows', cols: 'cols', a: 'a', aStride: 'aStride', b: 'b', y: 'y', yStride: 'yStride' };

function vbinaryChecked(k: Kernels, args: VbinaryArgs, name: string, n: ArgNames = VBINARY_NAMES): void {
  const op = binaryOpCode(name, args.op);
  const { rows, cols } = args;
  checkInt(name, n.rows, rows, 0);
  checkInt(name, n.cols, cols, 0);
  const aStride = args.aStride ?? cols;
  const bStride = args.bStride ?? cols;
  const yStride = args.yStride ?? cols;
  checkStride(name, n.aStride, aStride, cols, n.cols);
  if (bStride !== 0) checkStride(name, 'bStride', bStride, cols, `${n.cols} (or 0 to broadcast one row)`);
  checkStride(name, n.yStride, yStride, cols, n.cols);
  checkAct(name, args.act);
  const bRows = bStride === 0 ? Math.min(rows, 1) : rows;
  checkBuffer(k, name, n.a, args.a, stridedExtent(rows, cols, aStride));
  checkBuffer(k, name, n.b, args.b, stridedExtent(bRows, cols, bStride));
  checkBuffer(k, name, n.y, args.y, stridedExtent(rows, cols, yStride));
  if (rows === 0 || cols === 0) return;
  const y: View = { name: n.y, ptr: args.y, rows, cols, stride: yStride };
  checkViewsDisjoint(name, y, { name: n.a, ptr: args.a, rows, cols, stride: aStride }, true);
  // A broadcast b is read again for every row: the output must not touch it (unless rows == 1).
  const b: View = { name: n.b, ptr: args.b, rows: bRows, cols, stride: bStride === 0 ? yStride : bStride };
  checkViewsDisjoint(name, y, b, bStride !== 0 || rows === 1);
  k.fn(VBINARY)(op, rows, cols, args.a, aStride, args.b, bStride, args.y, yStride, args.act);
}

export interface VbinaryScalarArgs {
  op: BinaryOpName | BinaryOpCode;
  rows: number;
  cols: number;
  a: number;
  aStride?: number;
  /** The scalar operand (rounded to float32). */
  s: number;
  y: number;
  yStride?: number;
  act: ActCode;
}

/** y[r][c] = act(a[r][c] OP s) over strided views; y may be exactly a (in place). */
export function vbinaryScalar(k: Kernels, args: VbinaryScalarArgs): void {
  const name = VBINARY_SCALAR;
  const op = binaryOpCode(name, args.op);
  const { rows, cols } = args;
  checkInt(name, 'rows', rows, 0);
  checkInt(name, 'cols', cols, 0);
  const aStride = args.aStride ?? cols;
  const yStride = args.yStride ?? cols;
  checkStride(name, 'aStride', aStride, cols, 'cols');
  checkStride(name, 'yStride', yStride, cols, 'cols');
  if (typeof args.s !== 'number' || Number.isNaN(args.s)) {
    throw new ShapeError(`${name}: argument 's' = ${String(args.s)} must be a number (not NaN)`);
  }
  checkAct(name, args.act);
  checkBuffer(k, name, 'a', args.a, stridedExtent(rows, cols, aStride));
  checkBuffer(k, name, 'y', args.y, stridedExtent(rows, cols, yStride));
  if (rows === 0 || cols === 0) return;
  checkViewsDisjoint(name, { name: 'y', ptr: args.y, rows, cols, stride: yStride }, { name: 'a', ptr: args.a, rows, cols, stride: aStride }, true);
  k.fn(name)(op, rows, cols, args.a, aStride, args.s, args.y, yStride, args.act);
}

export interface SeGateArgs {
  /** Pixels (H * W). */
  pixels: number;
  /** Channels. */
  c: number;
  x: number;
  /** Floats between pixels of x (default c). */
  xStride?: number;
  /** The per-channel gate, c floats (e.g. the hsigmoid output of the SE block's second FC). */
  g: number;
  y: number;
  /** Floats between pixels of y (default c). */
  yStride?: number;
  /** Activation after the gating (default linear). */
  act?: ActCode;
}

/**
 * Squeeze-and-excitation channel gate: y[p][c] = act(x[p][c] * g[c]). This is the same kernel
 * as vbinary 'mul' with bStride 0 (f32-vbinary-x8); a dedicated kernel is not faster. In place
 * (y == x) is allowed.
 */
export function seGate(k: Kernels, args: SeGateArgs): void {
  vbinaryChecked(k, {
    op: 'mul',
    rows: args.pixels,
    cols: args.c,
    a: args.x,
    aStride: args.xStride ?? args.c,
    b: args.g,
    bStride: 0,
    y: args.y,
    yStride: args.yStride ?? args.c,
    act: args.act ?? 0,
  }, `${VBINARY} (seGate)`, { rows: 'pixels', cols: 'c', a: 'x', aStride: 'xStride', b: 'g', y: 'y', yStride: 'yStride' });
}
