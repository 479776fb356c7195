import { ShapeError, UnsupportedOpError } from '../errors.js';
import type { Graph, Node, OpAttrs, OpType, Pads } from './ir.js';
import { convOutSize, effectiveKernel } from './padding.js';

/**
 * Shape inference for the graph IR (NHWC). Every error is a ShapeError whose message names the node,
 * its op, the input(s) involved and their shapes.
 *
 * ConvTranspose2D rule (matches the kernel definition in docs/kernels.md: output pixel
 * oy = iy * s - padTop + ky): the "natural" output size is
 *   natural = (H - 1) * s + k - padTop - padBottom
 * and attrs.outputSize must lie in [natural, natural + s - 1] (the same freedom PyTorch gives with
 * output_padding < stride, and TF's SAME rounding for conv2d_transpose). Rows past `natural` receive
 * only the contributions the padBottom crop would otherwise have removed, plus the bias.
 */

/** Input names per op, used in messages (Concat is variadic: 'inputs[i]'). First `required` are mandatory. */
export const OP_INPUTS: { [K in OpType]: { names: readonly string[]; required: number } } = {
  Conv2D: { names: ['x', 'weight', 'bias', 'residual'], required: 2 },
  DepthwiseConv2D: { names: ['x', 'weight', 'bias'], required: 2 },
  ConvTranspose2D: { names: ['x', 'weight', 'bias'], required: 2 },
  BatchNorm: { names: ['x', 'gamma', 'beta', 'mean', 'variance'], required: 5 },
  Activation: { names: ['x'], required: 1 },
  Add: { names: ['a', 'b'], required: 2 },
  Mul: { names: ['a', 'b'], required: 2 },
  Sub: { names: ['a', 'b'], required: 2 },
  Div: { names: ['a', 'b'], required: 2 },
  Max: { names: ['a', 'b'], required: 2 },
  Min: { names: ['a', 'b'], required: 2 },
  Prelu: { names: ['x', 'slope'], required: 2 },
  Concat: { names: [], required: 1 },
  ChannelShuffle: { names: ['x'], required: 1 },
  Split: { names: ['x'], required: 1 },
  MaxPool: { names: ['x'], required: 1 },
  AvgPool: { names: ['x'], required: 1 },
  GlobalAvgPool: { names: ['x'], required: 1 },
  Flatten: { names: ['x'], required: 1 },
  Reshape: { names: ['x'], required: 1 },
  FullyConnected: { names: ['x', 'weight', 'bias'], required: 2 },
  Softmax: { names: ['x'], required: 1 },
  Resize: { names: ['x'], required: 1 },
  CReLU: { names: ['x'], required: 1 },
  Pad: { names: ['x'], required: 1 },
  DepthToSpace: { names: ['x'], required: 1 },
};

export const fmtShape = (s: readonly number[] | undefined): string => (s ? `[${s.join(',')}]` : 'undefined');

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

type ShapeOf = (tensor: string) => number[] | undefined;

class NodeCtx {
  constructor(
    readonly node: Node,
    readonly shapeOf: ShapeOf,
  ) {}

  err(msg: string): ShapeError {
    return new ShapeError(`node '${this.node.name}' (${this.node.op}): ${msg}`);
  }

  label(i: number): string {
    const names = OP_INPUTS[this.node.op]?.names ?? [];
    return names[i] ?? `inputs[${i}]`;
  }

  /** Shape of input i, or undefined when the optional input is absent. */
  in(i: number): number[] | undefined {
    const t = this.node.inputs[i];
    if (t === undefined || t === '') return undefined;
    const s = this.shapeOf(t);
    if (!s) throw this.err(`input '${this.label(i)}' refers to tensor '${t}', which is not a graph input, a constant or an output of an earlier node`);
    return s;
  }

  req(i: number): number[] {
    const s = this.in(i);
    if (!s) throw this.err(`input '${this.label(i)}' is missing`);
    return s;
  }

  /** Input i with a given rank. */
  rank(i: number, r: number, what = r === 4 ? 'NHWC [N,H,W,C]' : `rank ${r}`): number[] {
    const s = this.req(i);
    if (s.length !== r) throw this.err(`input '${this.label(i)}' has shape ${fmtShape(s)} but must be ${what}`);
    return s;
  }

  pair(v: unknown, what: string, pred: (x: unknown) => boolean, rule: string): [number, number] {
    if (!Array.isArray(v) || v.length !== 2 || !pred(v[0]) || !pred(v[1])) {
      throw this.err(`attribute '${what}' is ${JSON.stringify(v)} but must be a pair of ${rule}`);
    }
    return [v[0] as number, v[1] as number];
  }

  pads(v: unknown, what = 'pads'): Pads {
    if (!Array.isArray(v) || v.length !== 4 || !v.every(isNonNegInt)) {
      throw this.err(`attribute '${what}' is ${JSON.stringify(v)} but must be [top, left, bottom, right] of non-negative integers`);
    }
    return [v[0], v[1], v[2], v[3]];
  }

  /** Optional bias input i must be [n]. */
  bias(i: number, n: number, whatN: string): void {
    const b = this.in(i);
    if (b && (b.length !== 1 || b[0] !== n)) {
      throw this.err(`input '${this.label(i)}' has shape ${fmtShape(b)} but must be [${n}] (${whatN})`);
    }
  }
}

function windowOut(c: NodeCtx, x: number[], kernel: [number, number], strides: [number, number], dil: [number, number], pads: Pads): [number, number] {
  const [, h, w] = x;
  const kh = effectiveKernel(kernel[0], dil[0]);
  const kw = effectiveKernel(kernel[1], dil[1]);
  const oh = convOutSize(h, kernel[0], strides[0], dil[0], pads[0], pads[2]);
  const ow = convOutSize(w, kernel[1], strides[1], dil[1], pads[1], pads[3]);
  if (oh < 1 || ow < 1) {
    throw c.err(
      `input 'x' has shape ${fmtShape(x)}, too small for effective kernel ${kh}x${kw} with pads ${fmtShape(pads)} ` +
        `(output would be ${oh}x${ow}; need H + padTop + padBottom >= (kh - 1) * dh + 1)`,
    );
  }
  return [oh, ow];
}

function convGeometry(c: NodeCtx, a: { kernel: unknown; strides: unknown; dilations?: unknown; pads: unknown }) {
  const kernel = c.pair(a.kernel, 'kernel', isPosInt, 'positive integers');
  const strides = c.pair(a.strides, 'strides', isPosInt, 'positive integers');
  const dil = a.dilations === undefined ? ([1, 1] as [number, number]) : c.pair(a.dilations, 'dilations', isPosInt, 'positive integers');
  const pads = c.pads(a.pads);
  return { kernel, strides, dil, pads };
}

/** b must equal a, or be [C], or [N,1,1,C] for a 4-D a (SE gating). */
function binaryShape(c: NodeCtx): number[] {
  const a = c.req(0);
  const b = c.req(1);
  const C = a[a.length - 1];
  const same = a.length === b.length && a.every((v, i) => v === b[i]);
  const vec = b.length === 1 && b[0] === C;
  const gate = a.length === 4 && b.length === 4 && b[0] === a[0] && b[1] === 1 && b[2] === 1 && b[3] === C;
  if (!same && !vec && !gate) {
    throw c.err(
      `input 'a' has shape ${fmtShape(a)} but 'b' has ${fmtShape(b)}; ${c.node.op} needs equal shapes, b = [C] or b = [N,1,1,C]`,
    );
  }
  return [...a];
}

/** Output shapes of one node given a lookup for its inputs' shapes. Throws ShapeError on any mismatch. */
export function inferNodeShapes(node: Node, shapeOf: ShapeOf): number[][] {
  const c = new NodeCtx(node, shapeOf);
  const spec = OP_INPUTS[node.op];
  if (!spec) throw new UnsupportedOpError(`node '${node.name}': unknown op '${String(node.op)}'`);
  if (!Array.isArray(node.inputs) || node.inputs.length < spec.required) {
    const want = spec.names.length ? spec.names.slice(0, spec.required).join(', ') : `at least ${spec.required}`;
    throw c.err(`has ${node.inputs?.length ?? 0} inputs but needs ${want}`);
  }
  if (spec.names.length && node.inputs.length > spec.names.length) {
    throw c.err(`has ${node.inputs.length} inputs but takes at most ${spec.names.length} (${spec.names.join(', ')})`);
  }
  const wantOutputs = node.op === 'Split' ? ((node.attrs as OpAttrs['Split']).sizes?.length ?? 0) : 1;
  if (!Array.isArray(node.outputs) || node.outputs.length !== wantOutputs) {
    throw c.err(`has ${node.outputs?.length ?? 0} outputs but must have ${wantOutputs}`);
  }
  const out = inferOp(c);
  for (const s of out) {
    if (!s.every(isPosInt)) throw c.err(`computed output shape ${fmtShape(s)} has a non-positive dimension`);
  }
  return out;
}

function inferOp(c: NodeCtx): number[][] {
  const node = c.node;
  switch (node.op) {
    case 'Conv2D': {
      const a = node.attrs as OpAttrs['Conv2D'];
      const x = c.rank(0, 4);
      const [n, , , cin] = x;
      const g = convGeometry(c, a);
      const groups = a.groups;
      if (!isPosInt(groups)) throw c.err(`attribute 'groups' is ${groups} but must be a positive integer`);
      const w = c.rank(1, 4, '[cout, kh, kw, cin/groups]');
      const [cout, kh, kw, cig] = w;
      if (cin % groups !== 0) throw c.err(`input 'x' has shape ${fmtShape(x)}: its ${cin} channels are not divisible by groups = ${groups}`);
      if (cout % groups !== 0) throw c.err(`input 'weight' has shape ${fmtShape(w)}: cout = ${cout} is not divisible by groups = ${groups}`);
      if (kh !== g.kernel[0] || kw !== g.kernel[1]) throw c.err(`input 'weight' has shape ${fmtShape(w)} but attribute kernel is ${fmtShape(g.kernel)}`);
      if (cig !== cin / groups) {
        throw c.err(`input 'x' has shape ${fmtShape(x)} but 'weight' has ${fmtShape(w)}; weight must be [cout, kh, kw, cin/groups] = [${cout},${kh},${kw},${cin / groups}]`);
      }
      c.bias(2, cout, 'cout');
      const [oh, ow] = windowOut(c, x, g.kernel, g.strides, g.dil, g.pads);
      const res = c.in(3);
      if (res && fmtShape(res) !== fmtShape([n, oh, ow, cout])) {
        throw c.err(`input 'residual' has shape ${fmtShape(res)} but the output is ${fmtShape([n, oh, ow, cout])}; a fused residual must match the output`);
      }
      return [[n, oh, ow, cout]];
    }
    case 'DepthwiseConv2D': {
      const a = node.attrs as OpAttrs['DepthwiseConv2D'];
      const x = c.rank(0, 4);
      const g = convGeometry(c, a);
      const w = c.rank(1, 3, '[kh, kw, C]');
      if (w[0] !== g.kernel[0] || w[1] !== g.kernel[1] || w[2] !== x[3]) {
        throw c.err(`input 'x' has shape ${fmtShape(x)} but 'weight' has ${fmtShape(w)}; weight must be [kh, kw, C] = [${g.kernel[0]},${g.kernel[1]},${x[3]}]`);
      }
      c.bias(2, x[3], 'channels');
      const [oh, ow] = windowOut(c, x, g.kernel, g.strides, g.dil, g.pads);
      return [[x[0], oh, ow, x[3]]];
    }
    case 'ConvTranspose2D': {
      const a = node.attrs as OpAttrs['ConvTranspose2D'];
      const x = c.rank(0, 4);
      const g = convGeometry(c, { ...a, dilations: undefined });
      const size = c.pair(a.outputSize, 'outputSize', isPosInt, 'positive integers');
      const w = c.rank(1, 4, '[cout, kh, kw, cin]');
      if (w[1] !== g.kernel[0] || w[2] !== g.kernel[1] || w[3] !== x[3]) {
        throw c.err(`input 'x' has shape ${fmtShape(x)} but 'weight' has ${fmtShape(w)}; weight must be [cout, kh, kw, cin] = [${w[0]},${g.kernel[0]},${g.kernel[1]},${x[3]}]`);
      }
      c.bias(2, w[0], 'cout');
      for (let ax = 0; ax < 2; ax++) {
        const inS = x[1 + ax];
        const s = g.strides[ax];
        const natural = (inS - 1) * s + g.kernel[ax] - g.pads[ax] - g.pads[ax + 2];
        if (size[ax] < natural || size[ax] > natural + s - 1) {
          const axis = ax === 0 ? 'height' : 'width';
          throw c.err(
            `input 'x' has shape ${fmtShape(x)} and outputSize is ${fmtShape(size)}: ${axis} ${size[ax]} is not reachable; ` +
              `(${inS} - 1) * ${s} + ${g.kernel[ax]} - ${g.pads[ax]} - ${g.pads[ax + 2]} = ${natural}, so outputSize must be in [${natural}, ${natural + s - 1}]`,
          );
        }
      }
      return [[x[0], size[0], size[1], w[0]]];
    }
    case 'BatchNorm': {
      const a = node.attrs as OpAttrs['BatchNorm'];
      const x = c.req(0);
      const C = x[x.length - 1];
      for (let i = 1; i <= 4; i++) {
        const p = c.req(i);
        if (p.length !== 1 || p[0] !== C) throw c.err(`input 'x' has shape ${fmtShape(x)} but '${c.label(i)}' has ${fmtShape(p)}; must be [${C}]`);
      }
      if (!(typeof a.epsilon === 'number' && a.epsilon >= 0)) throw c.err(`attribute 'epsilon' is ${a.epsilon} but must be >= 0`);
      return [[...x]];
    }
    case 'Activation':
    case 'Softmax':
      return [[...c.req(0)]];
    case 'Add':
    case 'Mul':
    case 'Sub':
    case 'Div':
    case 'Max':
    case 'Min':
      return [binaryShape(c)];
    case 'Prelu': {
      const x = c.req(0);
      const C = x[x.length - 1];
      const s = c.req(1);
      if (s.length !== 1 || s[0] !== C) throw c.err(`input 'x' has shape ${fmtShape(x)} but 'slope' has ${fmtShape(s)}; must be [${C}]`);
      return [[...x]];
    }
    case 'Concat': {
      const shapes = node.inputs.map((_, i) => c.req(i));
      const first = shapes[0];
      let C = 0;
      shapes.forEach((s, i) => {
        const ok = s.length === first.length && s.every((v, j) => j === s.length - 1 || v === first[j]);
        if (!ok) {
          throw c.err(`input 'inputs[0]' has shape ${fmtShape(first)} but 'inputs[${i}]' has ${fmtShape(s)}; Concat needs equal shapes except the last (channel) axis`);
        }
        C += s[s.length - 1];
      });
      return [[...first.slice(0, -1), C]];
    }
    case 'ChannelShuffle': {
      const g = (node.attrs as OpAttrs['ChannelShuffle']).groups;
      const x = c.req(0);
      const C = x[x.length - 1];
      if (!isPosInt(g) || C % g !== 0) throw c.err(`input 'x' has shape ${fmtShape(x)}: ${C} channels are not divisible by groups = ${g}`);
      return [[...x]];
    }
    case 'Split': {
      const sizes = (node.attrs as OpAttrs['Split']).sizes;
      const x = c.req(0);
      const C = x[x.length - 1];
      if (!Array.isArray(sizes) || sizes.length < 1 || !sizes.every(isPosInt)) throw c.err(`attribute 'sizes' is ${JSON.stringify(sizes)} but must be positive integers`);
      const sum = sizes.reduce((p, q) => p + q, 0);
      if (sum !== C) throw c.err(`input 'x' has shape ${fmtShape(x)} but sizes ${fmtShape(sizes)} sum to ${sum}, not ${C}`);
      return sizes.map((s) => [...x.slice(0, -1), s]);
    }
    case 'MaxPool':
    case 'AvgPool': {
      const a = node.attrs as OpAttrs['MaxPool'];
      const x = c.rank(0, 4);
      const g = convGeometry(c, { ...a, dilations: undefined });
      if (g.pads[0] >= g.kernel[0] || g.pads[2] >= g.kernel[0] || g.pads[1] >= g.kernel[1] || g.pads[3] >= g.kernel[1]) {
        throw c.err(`pads ${fmtShape(g.pads)} must each be smaller than the kernel ${fmtShape(g.kernel)} (a window would lie entirely in padding)`);
      }
      const [oh, ow] = windowOut(c, x, g.kernel, g.strides, [1, 1], g.pads);
      return [[x[0], oh, ow, x[3]]];
    }
    case 'GlobalAvgPool': {
      const x = c.rank(0, 4);
      return [[x[0], 1, 1, x[3]]];
    }
    case 'Flatten': {
      const x = c.req(0);
      if (x.length < 2) throw c.err(`input 'x' has shape ${fmtShape(x)} but must have rank >= 2`);
      return [[x[0], x.slice(1).reduce((p, q) => p * q, 1)]];
    }
    case 'Reshape': {
      const x = c.req(0);
      const shape = (node.attrs as OpAttrs['Reshape']).shape;
      if (!Array.isArray(shape) || shape.length < 1 || !shape.every(isPosInt)) throw c.err(`attribute 'shape' is ${JSON.stringify(shape)} but must be positive integers`);
      const [n, m] = [x.reduce((p, q) => p * q, 1), shape.reduce((p, q) => p * q, 1)];
      if (n !== m) throw c.err(`input 'x' has shape ${fmtShape(x)} (${n} values) but the new shape ${fmtShape(shape)} holds ${m}`);
      return [[...shape]];
    }
    case 'FullyConnected': {
      const x = c.req(0);
      const flat = x.length === 2 || (x.length === 4 && x[1] === 1 && x[2] === 1);
      if (!flat) throw c.err(`input 'x' has shape ${fmtShape(x)} but must be [N,K] or [N,1,1,K]`);
      const K = x[x.length - 1];
      const w = c.rank(1, 2, '[n, k]');
      if (w[1] !== K) throw c.err(`input 'x' has shape ${fmtShape(x)} but 'weight' has ${fmtShape(w)}; weight must be [n, ${K}]`);
      c.bias(2, w[0], 'n');
      return [[x[0], w[0]]];
    }
    case 'Resize': {
      const a = node.attrs as OpAttrs['Resize'];
      const x = c.rank(0, 4);
      const size = c.pair(a.size, 'size', isPosInt, 'positive integers');
      if (!['bilinear', 'nearest'].includes(a.mode)) throw c.err(`attribute 'mode' is '${a.mode}' but must be 'bilinear' or 'nearest'`);
      if (!['legacy', 'align_corners', 'half_pixel'].includes(a.coord)) throw c.err(`attribute 'coord' is '${a.coord}' but must be 'legacy', 'align_corners' or 'half_pixel'`);
      return [[x[0], size[0], size[1], x[3]]];
    }
    case 'CReLU': {
      const x = c.req(0);
      return [[...x.slice(0, -1), 2 * x[x.length - 1]]];
    }
    case 'DepthToSpace': {
      const x = c.rank(0, 4);
      const [bh, bw] = c.pair((node.attrs as OpAttrs['DepthToSpace']).block, 'block', isPosInt, 'positive integers');
      if (x[3] % (bh * bw) !== 0) throw c.err(`input 'x' has shape ${fmtShape(x)}: ${x[3]} channels are not a multiple of block ${bh}x${bw} = ${bh * bw}`);
      return [[x[0], x[1] * bh, x[2] * bw, x[3] / (bh * bw)]];
    }
    case 'Pad': {
      const x = c.rank(0, 4);
      const p = c.pads((node.attrs as OpAttrs['Pad']).pads);
      return [[x[0], x[1] + p[0] + p[2], x[2] + p[1] + p[3], x[3]]];
    }
    default:
      throw new UnsupportedOpError(`node '${node.name}': unknown op '${String(node.op)}'`);
  }
}

/**
 * Shapes of every tensor in the graph: graph inputs, constants and every node output. Nodes must be in
 * topological order. Throws ShapeError naming the node, its op and the shapes involved.
 */
export function inferShapes(graph: Graph): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const t of graph.inputs) {
    if (!Array.isArray(t.shape) || !t.shape.every(isPosInt)) throw new ShapeError(`graph input '${t.name}' has shape ${fmtShape(t.shape)}; every dimension must be a positive integer`);
    shapes.set(t.name, [...t.shape]);
  }
  for (const [name, k] of graph.constants) {
    if (k.data && k.data.length !== k.shape.reduce((a, b) => a * b, 1)) {
      throw new ShapeError(`constant '${name}' has shape ${fmtShape(k.shape)} (${k.shape.reduce((a, b) => a * b, 1)} values) but ${k.data.length} values of data`);
    }
    shapes.set(name, [...k.shape]);
  }
  for (const node of graph.nodes) {
    const outs = inferNodeShapes(node, (t) => shapes.get(t));
    node.outputs.forEach((o, i) => {
      if (shapes.has(o)) throw new ShapeError(`node '${node.name}' (${node.op}): output '${o}' is already defined by an earlier node, input or constant`);
      shapes.set(o, outs[i]);
    });
  }
  for (const o of graph.outputs) {
    if (!shapes.has(o)) throw new ShapeError(`graph output '${o}' is not produced by any node, input or constant`);
  }
  return shapes;
}
