import type { BinaryOpType } from '../../graph/ir.js';
import { broadcastShape, binaryConst, expandTo, makeConst } from './const-eval.js';
import { sameShape, TF_ACTS, type TensorValue, type TfConverter, type TfNode } from './tf-converter.js';
import type { DecodedWeight } from './weights.js';

/** Elementwise ops: arithmetic with broadcasting, activations, softmax. */
export const MATH_OPS = [
  'BiasAdd', 'Add', 'AddV2', 'AddN', 'Sub', 'Mul', 'RealDiv', 'Div', 'Maximum', 'Minimum', 'FloorDiv', 'FloorMod', 'Neg',
  'Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Elu', 'LeakyRelu', 'Prelu', 'Softmax',
] as const;

type Kind = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Max' | 'Min' | 'FloorDiv' | 'FloorMod';
const KIND: Record<string, Kind> = {
  BiasAdd: 'Add', Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Div: 'Div', Maximum: 'Max', Minimum: 'Min', FloorDiv: 'FloorDiv', FloorMod: 'FloorMod',
};
const FN: Record<Kind, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
  Max: (x, y) => Math.max(x, y),
  Min: (x, y) => Math.min(x, y),
  FloorDiv: (x, y) => Math.floor(x / y),
  FloorMod: (x, y) => x - Math.floor(x / y) * y,
};
const UNARY_FN: Record<string, (x: number) => number> = {
  Neg: (x) => -x,
  Relu: (x) => Math.max(x, 0),
  Relu6: (x) => Math.min(Math.max(x, 0), 6),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Elu: (x) => (x > 0 ? x : Math.expm1(x)),
};

/** small = [N,1,1,C] against big = [N,H,W,C]: the per-image channel vector the IR broadcasts. */
const isGate = (big: readonly number[], small: readonly number[]) =>
  big.length === 4 && small.length === 4 && small[0] === big[0] && small[1] === 1 && small[2] === 1 && small[3] === big[3];

export function convertMath(cv: TfConverter, n: TfNode): boolean {
  const b = cv.b;
  if (KIND[n.op]) {
    binary(cv, n, KIND[n.op]);
    return true;
  }
  switch (n.op) {
    case 'AddN': {
      const ins = cv.inputs(n);
      if (ins.length === 1) {
        cv.vals.set(n.name, cv.value(n, 0));
        return true;
      }
      let acc = cv.tensor(n, 0);
      for (let i = 1; i < ins.length; i++) {
        const name = i === ins.length - 1 ? n.name : b.freshName(`${n.name}/${i}`);
        acc = b.node('Add', name, [acc, cv.tensor(n, i)], { act: 'linear' })[0];
      }
      cv.set(n, acc);
      return true;
    }
    case 'Neg':
    case 'Relu':
    case 'Relu6':
    case 'Sigmoid':
    case 'Tanh':
    case 'Elu': {
      const v = cv.value(n, 0);
      if ('c' in v) {
        cv.setConst(n, makeConst([...v.c.shape], 'float32', Array.from(v.c.data, UNARY_FN[n.op])));
        return true;
      }
      const x = cv.tensor(n, 0);
      if (n.op === 'Neg') cv.set(n, b.node('Mul', n.name, [x, minusOnes(cv, n, b.channels(x))], { act: 'linear' })[0]);
      else cv.set(n, b.node('Activation', n.name, [x], { act: TF_ACTS[n.op] })[0]);
      return true;
    }
    case 'LeakyRelu':
    case 'Prelu': {
      const x = cv.tensor(n, 0);
      const C = b.channels(x);
      const slope = n.op === 'LeakyRelu'
        ? new Float32Array(C).fill(n.attr?.alpha?.f ?? 0.2)
        : cv.channelVector(n, cv.constIn(n, 1, 'alpha'), C, 'alpha');
      const s = b.constant(b.freshName(`${n.name}/alpha`), [C], slope);
      cv.set(n, b.node('Prelu', n.name, [x, s], { act: 'linear' })[0]);
      return true;
    }
    case 'Softmax': {
      const x = cv.tensor(n, 0);
      cv.set(n, b.node('Softmax', n.name, [x], {})[0]);
      return true;
    }
    default:
      return false;
  }
}

function minusOnes(cv: TfConverter, n: TfNode, C: number): string {
  return cv.b.constant(cv.b.freshName(`${n.name}/minus_one`), [C], new Float32Array(C).fill(-1));
}

/** A constant operand for a tensor of TF shape `ts`: a [C] vector when it varies only by channel, else full size. */
function constOperand(cv: TfConverter, n: TfNode, c: DecodedWeight, ts: number[]): string {
  const C = ts[ts.length - 1];
  const perChannel = c.data.length === 1 || (c.shape[c.shape.length - 1] === C && c.shape.slice(0, -1).every((d) => d === 1));
  if (perChannel) return cv.b.constant(cv.b.freshName(`${n.name}/operand`), [C], cv.channelVector(n, c, C, 'the constant operand'));
  return cv.b.constant(cv.b.freshName(`${n.name}/operand`), ts, Float32Array.from(expandTo(c, ts)));
}

function binary(cv: TfConverter, n: TfNode, kind: Kind): void {
  const b = cv.b;
  const va = cv.value(n, 0);
  const vb = cv.value(n, 1);
  const sa = cv.shapeOf(va);
  const sb = cv.shapeOf(vb);
  const out = broadcastShape(sa, sb);
  if (!out) cv.formatError(n, `shapes [${sa.join(',')}] and [${sb.join(',')}] do not broadcast`);
  if ('c' in va && 'c' in vb) {
    const fn = FN[kind];
    const c = binaryConst(va.c, vb.c, kind === 'Div' && va.c.dtype === 'int32' && vb.c.dtype === 'int32' ? (x, y) => Math.trunc(x / y) : fn, out);
    cv.setConst(n, c);
    return;
  }
  if (kind === 'FloorDiv' || kind === 'FloorMod') cv.unsupported(n, `${n.op} of a tensor (only of constants, e.g. shape arithmetic)`);
  const ir = kind as BinaryOpType;
  if ('c' in va || 'c' in vb) {
    const tFirst = !('c' in va);
    const tv = (tFirst ? va : vb) as TensorValue;
    const c = ('c' in va ? va : (vb as { c: DecodedWeight })).c;
    const ts = cv.shapeOf(tv);
    if (!sameShape(out, ts)) cv.unsupported(n, `a constant of shape [${c.shape.join(',')}] that broadcasts the tensor [${ts.join(',')}] to [${out.join(',')}]`);
    const x = cv.materialize(tv, cv.inputs(n)[tFirst ? 0 : 1], n);
    if (!tFirst && kind === 'Div') cv.unsupported(n, 'a constant divided by a tensor');
    if (!tFirst && kind === 'Sub') {
      // c - x = (-1 * x) + c
      const neg = b.node('Mul', b.freshName(`${n.name}/neg`), [x, minusOnes(cv, n, ts[ts.length - 1])], { act: 'linear' })[0];
      cv.set(n, b.node('Add', n.name, [neg, constOperand(cv, n, c, ts)], { act: 'linear' })[0]);
      return;
    }
    // x - c = x + (-c) exactly; x / c = x * (1/c) within one rounding: both fold into neighbours
    const mapped = kind === 'Sub' ? makeConst(c.shape, 'float32', Array.from(c.data, (v) => -v))
      : kind === 'Div' ? makeConst(c.shape, 'float32', Array.from(c.data, (v) => 1 / v)) : c;
    const op = kind === 'Sub' ? 'Add' : kind === 'Div' ? 'Mul' : ir;
    cv.set(n, b.node(op, n.name, [x, constOperand(cv, n, mapped, ts)], { act: 'linear' })[0]);
    return;
  }
  const ta = cv.tensor(n, 0);
  const tb = cv.tensor(n, 1);
  if (sameShape(sa, sb) || isGate(sa, sb)) {
    cv.set(n, b.node(ir, n.name, [ta, tb], { act: 'linear' })[0]);
  } else if (isGate(sb, sa)) {
    if (kind === 'Div') cv.unsupported(n, `dividing a [${sa.join(',')}] tensor by a [${sb.join(',')}] tensor`);
    if (kind === 'Sub') {
      const d = b.node('Sub', b.freshName(`${n.name}/reversed`), [tb, ta], { act: 'linear' })[0];
      cv.set(n, b.node('Mul', n.name, [d, minusOnes(cv, n, sb[3])], { act: 'linear' })[0]);
    } else cv.set(n, b.node(ir, n.name, [tb, ta], { act: 'linear' })[0]);
  } else {
    cv.unsupported(n, `broadcasting a [${sa.join(',')}] tensor with a [${sb.join(',')}] tensor (supported: equal shapes or [N,1,1,C] against [N,H,W,C])`);
  }
}

