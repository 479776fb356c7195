import type { BinaryOpType } from '../../graph/ir.js';
import type { ActName } from '../../kernels/act.js';
import type { OnnxNodeProto } from './proto.js';
import type { ConstTensor } from './tensor.js';
import { fmt, type OnnxConverter, type TensorValue } from './converter.js';

/** Activations and elementwise ops. */
export const ELEM_OPS = [
  'Relu', 'Clip', 'HardSigmoid', 'HardSwish', 'Sigmoid', 'Tanh', 'Elu', 'LeakyRelu', 'PRelu', 'Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Neg',
] as const;

const ACTS: Record<string, ActName> = { Relu: 'relu', HardSwish: 'hswish', Sigmoid: 'sigmoid', Tanh: 'tanh' };
const BINARY: Record<string, BinaryOpType> = { Add: 'Add', Sub: 'Sub', Mul: 'Mul', Div: 'Div', Max: 'Max', Min: 'Min' };
const COMMUTATIVE = new Set(['Add', 'Mul', 'Max', 'Min']);
const FOLD: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b, Max: Math.max, Min: Math.min,
};

/** float32 equality of an attribute with an exact constant (1/6 is stored rounded). */
const f32eq = (a: number, b: number): boolean => Math.fround(a) === Math.fround(b);

function act(cv: OnnxConverter, n: OnnxNodeProto, x: TensorValue, a: ActName): void {
  cv.setTensor(n, cv.b.node('Activation', cv.outName(n), [x.t], { act: a })[0]);
}

/** y = op(x, vector) with a per-channel constant vector [C] (the last IR axis). */
function withVector(cv: OnnxConverter, n: OnnxNodeProto, op: BinaryOpType, x: TensorValue, vec: Float32Array, suffix: string, a: ActName = 'linear', name?: string): string {
  const v = cv.weight(cv.tmpName(n, suffix), [vec.length], vec);
  return cv.b.node(op, name ?? cv.outName(n), [x.t, v], { act: a })[0];
}

/** Numpy-style broadcasting of two constants. */
export function foldBinary(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor | null {
  const r = Math.max(a.shape.length, b.shape.length);
  const as = [...new Array<number>(r - a.shape.length).fill(1), ...a.shape];
  const bs = [...new Array<number>(r - b.shape.length).fill(1), ...b.shape];
  const shape: number[] = [];
  for (let i = 0; i < r; i++) {
    if (as[i] !== bs[i] && as[i] !== 1 && bs[i] !== 1) return null;
    shape.push(Math.max(as[i], bs[i]));
  }
  const n = shape.reduce((p, q) => p * q, 1);
  const int = a.int && b.int;
  const data = int ? new Float64Array(n) : new Float32Array(n);
  const idx = new Array<number>(r).fill(0);
  const off = (s: number[]) => {
    let o = 0;
    for (let i = 0; i < r; i++) o = o * s[i] + (s[i] === 1 ? 0 : idx[i]);
    return o;
  };
  for (let o = 0; o < n; o++) {
    const v = f(a.data[off(as)], b.data[off(bs)]);
    data[o] = int ? Math.trunc(v) : v;
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
  return { shape, data, int };
}

function binary(cv: OnnxConverter, n: OnnxNodeProto): void {
  const op = BINARY[n.op_type!];
  if (n.op_type === 'Max' || n.op_type === 'Min') {
    if ((n.input?.length ?? 0) !== 2) cv.unsupported(n, `${n.input?.length ?? 0} inputs (supported: 2)`);
  }
  let va = cv.value(n, 0);
  let vb = cv.value(n, 1);
  let [ia, ib] = [0, 1];
  if ('c' in va && 'c' in vb) {
    const r = foldBinary(va.c, vb.c, FOLD[op]);
    if (!r) cv.formatError(n, `constants ${fmt(va.c.shape)} and ${fmt(vb.c.shape)} do not broadcast`);
    return cv.setConst(n, r);
  }
  const sa0 = cv.shapeOf(va);
  const sb0 = cv.shapeOf(vb);
  // the full-size tensor first: constants and gates go second (commutative ops only)
  const smaller = 'c' in va || (sa0.length === sb0.length && sa0.reduce((p, q) => p * q, 1) < sb0.reduce((p, q) => p * q, 1));
  if (smaller) {
    if (!COMMUTATIVE.has(op)) cv.unsupported(n, `${'c' in va ? 'a constant' : `a ${fmt(sa0)} tensor`} as the first operand of a ${fmt(sb0)} tensor (only the second operand broadcasts)`);
    [va, vb] = [vb, va];
    [ia, ib] = [ib, ia];
  }
  const a = cv.asTensor(n, va, n.input![ia]);
  const sa = a.shape;
  if ('c' in vb) {
    const c = vb.c;
    const C = sa[1] ?? sa[0];
    const vec = sa.length === 1 ? (c.data.length === 1 ? new Float32Array(sa[0]).fill(c.data[0]) : null) : cv.channelVector(n, c, sa.length, C, `the constant '${n.input![ib]}'`);
    if (vec) return cv.setTensor(n, withVector(cv, n, op, a, vec, 'b'));
    const full = c.shape.length === sa.length && c.shape.every((d, i) => d === sa[i]);
    if (!full) cv.unsupported(n, `constant ${fmt(c.shape)} broadcast onto ${fmt(sa)} (supported: scalars, per-channel [C,1,1] / [1,C,1,1] vectors, or the full shape)`);
  }
  const b = cv.asTensor(n, vb, n.input![ib]);
  const sb = b.shape;
  const same = sb.length === sa.length && sb.every((d, i) => d === sa[i]);
  const gate = sa.length === 4 && sb.length === 4 && sb[0] === sa[0] && sb[1] === sa[1] && sb[2] === 1 && sb[3] === 1;
  if (!same && !gate) cv.unsupported(n, `operands ${fmt(sa)} and ${fmt(sb)} (supported: equal shapes, or [N,C,H,W] with a [N,C,1,1] gate)`);
  cv.setTensor(n, cv.b.node(op, cv.outName(n), [a.t, b.t], { act: 'linear' })[0]);
}

/** Clip bounds: inputs (opset >= 11) or attributes (opset < 11). */
function clipBounds(cv: OnnxConverter, n: OnnxNodeProto): [number, number] {
  if (cv.opset >= 11) {
    const lo = cv.has(n, 1) ? cv.constIn(n, 1, 'min') : null;
    const hi = cv.has(n, 2) ? cv.constIn(n, 2, 'max') : null;
    if ((lo && lo.data.length !== 1) || (hi && hi.data.length !== 1)) cv.unsupported(n, 'non-scalar min / max');
    return [lo ? lo.data[0] : -Infinity, hi ? hi.data[0] : Infinity];
  }
  return [cv.float(n, 'min', -Infinity), cv.float(n, 'max', Infinity)];
}

export function convertElem(cv: OnnxConverter, n: OnnxNodeProto): boolean {
  const op = n.op_type!;
  if (BINARY[op]) {
    binary(cv, n);
    return true;
  }
  if (!(ELEM_OPS as readonly string[]).includes(op)) return false;
  const v0 = cv.value(n, 0);
  if ('c' in v0) {
    if (op !== 'Neg') cv.unsupported(n, 'a constant input (not folded)');
    cv.setConst(n, { ...v0.c, data: v0.c.data.map((v) => -v) });
    return true;
  }
  const x = cv.tensor(n, 0);
  const C = x.shape.length === 4 ? x.shape[1] : x.shape[x.shape.length - 1];
  switch (op) {
    case 'Relu':
    case 'HardSwish':
    case 'Sigmoid':
    case 'Tanh':
      act(cv, n, x, ACTS[op]);
      return true;
    case 'Elu': {
      const alpha = cv.float(n, 'alpha', 1);
      if (alpha !== 1) cv.unsupported(n, `alpha = ${alpha} (supported: 1)`);
      act(cv, n, x, 'elu');
      return true;
    }
    case 'Clip': {
      const [lo, hi] = clipBounds(cv, n);
      const f32max = 3.4028234663852886e38;
      const isInf = (v: number) => !Number.isFinite(v) || Math.abs(v) >= f32max;
      if (lo === 0 && hi === 6) act(cv, n, x, 'relu6');
      else if (lo === 0 && isInf(hi)) act(cv, n, x, 'relu');
      else if (isInf(lo) && isInf(hi)) cv.set(n, x);
      else {
        // general bounds: Min(Max(x, lo), hi) with per-channel constant vectors
        let y: TensorValue = x;
        if (!isInf(lo)) y = { t: withVector(cv, n, 'Max', y, new Float32Array(C).fill(lo), 'min', 'linear', isInf(hi) ? undefined : cv.tmpName(n, 'max')), shape: x.shape };
        if (!isInf(hi)) y = { t: withVector(cv, n, 'Min', y, new Float32Array(C).fill(hi), 'max'), shape: x.shape };
        cv.setTensor(n, y.t);
      }
      return true;
    }
    case 'HardSigmoid': {
      const alpha = cv.float(n, 'alpha', 0.2);
      const beta = cv.float(n, 'beta', 0.5);
      if (f32eq(alpha, 1 / 6) && f32eq(beta, 0.5)) {
        act(cv, n, x, 'hsigmoid');
        return true;
      }
      // max(0, min(1, alpha x + beta)) = hsigmoid(6 alpha x + 6 beta - 3)
      const scaled: TensorValue = { t: withVector(cv, n, 'Mul', x, new Float32Array(C).fill(6 * alpha), 'alpha', 'linear', cv.tmpName(n, 'scaled')), shape: x.shape };
      cv.setTensor(n, withVector(cv, n, 'Add', scaled, new Float32Array(C).fill(6 * beta - 3), 'beta', 'hsigmoid'));
      return true;
    }
    case 'LeakyRelu':
      cv.setTensor(n, withVector(cv, n, 'Prelu', x, new Float32Array(C).fill(cv.float(n, 'alpha', 0.01)), 'alpha'));
      return true;
    case 'PRelu': {
      const slope = cv.constIn(n, 1, 'the slope');
      const vec = cv.channelVector(n, slope, x.shape.length, C, 'the slope');
      if (!vec) cv.unsupported(n, `slope of shape ${fmt(slope.shape)} (supported: a scalar or per-channel [C,1,1])`);
      cv.setTensor(n, withVector(cv, n, 'Prelu', x, vec, 'slope'));
      return true;
    }
    case 'Neg':
      cv.setTensor(n, withVector(cv, n, 'Mul', x, new Float32Array(C).fill(-1), 'minus_one'));
      return true;
    default:
      return false;
  }
}
