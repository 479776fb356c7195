import { ShapeError } from '../errors.js';
import { BINARY_OPS, type BinaryOpType, type Graph, type Node, type OpAttrs } from '../graph/ir.js';
import { BinaryOp } from '../kernels/vbinary.js';
import { sizeOf } from '../graph/ir.js';
import { fmtShape, inferShapes } from '../graph/shapes.js';
import { Act, type ActName } from '../kernels/act.js';
import { refAct } from '../reference/act.js';
import { refConv } from '../reference/conv.js';
import { refChannelShuffle, refCopy2d, refCrelu } from '../reference/copy.js';
import { refDeconv } from '../reference/deconv.js';
import { refDwconv } from '../reference/dwconv.js';
import { refGemm } from '../reference/gemm.js';
import { refAvgPool, refGlobalAvgPool, refMaxPool } from '../reference/pool.js';
import { refResizeBilinear, refResizeNearest } from '../reference/resize.js';
import { refSoftmax } from '../reference/softmax.js';
import { refVbinary } from '../reference/vbinary.js';

/**
 * The naive graph interpreter: every op in topological order with the plain TypeScript reference
 * kernels of src/reference (float64 accumulation where they use it), no packing, no fusion tricks.
 * The oracle for whole graphs: the SIMD session and the graph passes are tested against it.
 * Batch N is handled by looping over images.
 */
export function interpret(graph: Graph, feeds: Record<string, Float32Array>, outputs?: readonly string[]): Map<string, Float32Array> {
  const shapes = inferShapes(graph);
  const want = outputs ?? graph.outputs;
  const needed = neededNodes(graph, want);
  const vals = new Map<string, Float32Array>();
  for (const [name, c] of graph.constants) vals.set(name, c.data);
  for (const input of graph.inputs) {
    const data = feeds[input.name];
    const n = sizeOf(input.shape);
    if (!data) throw new ShapeError(`interpret: no feed for graph input '${input.name}' (shape ${fmtShape(input.shape)})`);
    if (data.length !== n) {
      throw new ShapeError(`interpret: feed '${input.name}' has ${data.length} values but shape ${fmtShape(input.shape)} needs ${n}`);
    }
    vals.set(input.name, data);
  }
  for (const node of graph.nodes) {
    if (!needed.has(node)) continue;
    const get = (i: number): Float32Array | null => (node.inputs[i] ? vals.get(node.inputs[i])! : null);
    const shape = (i: number): number[] => shapes.get(node.inputs[i])!;
    const outs = runNode(node, get, shape, node.outputs.map((o) => shapes.get(o)!));
    node.outputs.forEach((o, i) => vals.set(o, outs[i]));
  }
  const result = new Map<string, Float32Array>();
  for (const o of want) {
    const v = vals.get(o);
    if (!v) throw new ShapeError(`interpret: '${o}' is not a tensor of graph '${graph.name}'`);
    result.set(o, v);
  }
  return result;
}

/** Nodes the requested tensors depend on. */
export function neededNodes(graph: Graph, outputs: readonly string[]): Set<Node> {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const needed = new Set<Node>();
  const stack = [...outputs];
  while (stack.length) {
    const n = producer.get(stack.pop()!);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    for (const i of n.inputs) if (i) stack.push(i);
  }
  return needed;
}

const code = (a: ActName) => Act[a];

function runNode(node: Node, get: (i: number) => Float32Array | null, shape: (i: number) => number[], outShapes: number[][]): Float32Array[] {
  const out = outShapes.map((s) => new Float32Array(sizeOf(s)));
  const y = out[0];
  const x = get(0)!;
  const xs = shape(0);
  const os = outShapes[0];
  // Per-image sizes for NHWC tensors.
  const N = xs[0];
  const xImg = sizeOf(xs) / N;
  const yImg = sizeOf(os) / N;
  const img = (t: Float32Array, n: number, size: number) => t.subarray(n * size, (n + 1) * size);
  switch (node.op) {
    case 'Conv2D': {
      const a = node.attrs as OpAttrs['Conv2D'];
      const [, H, W, C] = xs;
      const [, OH, OW, CO] = os;
      const res = get(3);
      for (let n = 0; n < N; n++) {
        const yi = img(y, n, yImg);
        refConv(
          { inH: H, inW: W, cin: C, outH: OH, outW: OW, cout: CO, kh: a.kernel[0], kw: a.kernel[1], strideH: a.strides[0], strideW: a.strides[1], dilH: a.dilations[0], dilW: a.dilations[1], padTop: a.pads[0], padLeft: a.pads[1], groups: a.groups, xStride: C, yStride: CO, act: res ? Act.linear : code(a.act) },
          img(x, n, xImg), get(1)!, get(2), yi,
        );
        if (res) {
          const ri = img(res, n, yImg);
          for (let i = 0; i < yi.length; i++) yi[i] = refAct(yi[i] + ri[i], code(a.act));
        }
      }
      return out;
    }
    case 'DepthwiseConv2D': {
      const a = node.attrs as OpAttrs['DepthwiseConv2D'];
      const [, H, W, C] = xs;
      const [, OH, OW] = os;
      for (let n = 0; n < N; n++) {
        refDwconv({ inH: H, inW: W, c: C, x: img(x, n, xImg), xStride: C, outH: OH, outW: OW, y: img(y, n, yImg), yStride: C, w: get(1)!, bias: get(2), kh: a.kernel[0], kw: a.kernel[1], padTop: a.pads[0], padLeft: a.pads[1], strideH: a.strides[0], strideW: a.strides[1], dilationH: a.dilations[0], dilationW: a.dilations[1], act: code(a.act) });
      }
      return out;
    }
    case 'ConvTranspose2D': {
      const a = node.attrs as OpAttrs['ConvTranspose2D'];
      const [, H, W, C] = xs;
      const [, OH, OW, CO] = os;
      for (let n = 0; n < N; n++) {
        refDeconv({ inH: H, inW: W, cin: C, outH: OH, outW: OW, cout: CO, kh: a.kernel[0], kw: a.kernel[1], strideH: a.strides[0], strideW: a.strides[1], padTop: a.pads[0], padLeft: a.pads[1], xStride: C, yStride: CO, act: code(a.act) }, img(x, n, xImg), get(1)!, get(2), img(y, n, yImg));
      }
      return out;
    }
    case 'FullyConnected': {
      const a = node.attrs as OpAttrs['FullyConnected'];
      const k = xImg;
      const n = os[os.length - 1];
      refGemm(N, n, k, x, k, get(1)!, get(2), y, n, code(a.act));
      return out;
    }
    case 'BatchNorm': {
      const { epsilon } = node.attrs as OpAttrs['BatchNorm'];
      const [gamma, beta, mean, variance] = [get(1)!, get(2)!, get(3)!, get(4)!];
      const C = xs[xs.length - 1];
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        y[i] = ((x[i] - mean[c]) / Math.sqrt(variance[c] + epsilon)) * gamma[c] + beta[c];
      }
      return out;
    }
    case 'Activation': {
      const a = code((node.attrs as OpAttrs['Activation']).act);
      for (let i = 0; i < x.length; i++) y[i] = refAct(x[i], a);
      return out;
    }
    case 'Add':
    case 'Mul':
    case 'Sub':
    case 'Div':
    case 'Max':
    case 'Min':
    case 'Prelu': {
      const a = code((node.attrs as OpAttrs['Add']).act);
      const b = get(1)!;
      const C = xs[xs.length - 1];
      const op = BinaryOp[BINARY_OPS[node.op as BinaryOpType]];
      if (b.length === x.length) refVbinary(op, 1, x.length, x, x.length, b, 0, y, x.length, a);
      else if (b.length === C) refVbinary(op, x.length / C, C, x, C, b, 0, y, C, a);
      else {
        // [N,1,1,C] per-image channel vector (SE gate)
        const rows = xImg / C;
        for (let n = 0; n < N; n++) refVbinary(op, rows, C, img(x, n, xImg), C, b.subarray(n * C, (n + 1) * C), 0, img(y, n, yImg), C, a);
      }
      return out;
    }
    case 'Concat': {
      const total = os[os.length - 1];
      let off = 0;
      node.inputs.forEach((_, i) => {
        const si = shape(i);
        const c = si[si.length - 1];
        refCopy2d(sizeOf(os) / total, c, get(i)!, c, y.subarray(off), total);
        off += c;
      });
      return out;
    }
    case 'Split': {
      const C = xs[xs.length - 1];
      let off = 0;
      out.forEach((o, i) => {
        const c = outShapes[i][outShapes[i].length - 1];
        refCopy2d(x.length / C, c, x.subarray(off), C, o, c);
        off += c;
      });
      return out;
    }
    case 'ChannelShuffle': {
      const g = (node.attrs as OpAttrs['ChannelShuffle']).groups;
      const C = xs[3];
      refChannelShuffle(x.length / C, g, C / g, x, C, y, C);
      return out;
    }
    case 'MaxPool':
    case 'AvgPool': {
      const a = node.attrs as OpAttrs['AvgPool'];
      const [, H, W, C] = xs;
      const [, OH, OW] = os;
      const s = { inH: H, inW: W, c: C, xStride: C, outH: OH, outW: OW, yStride: C, kh: a.kernel[0], kw: a.kernel[1], strideH: a.strides[0], strideW: a.strides[1], padTop: a.pads[0], padLeft: a.pads[1] };
      for (let n = 0; n < N; n++) {
        if (node.op === 'MaxPool') refMaxPool(s, img(x, n, xImg), img(y, n, yImg), Act.linear);
        else refAvgPool(s, img(x, n, xImg), img(y, n, yImg), a.countIncludePad, Act.linear);
      }
      return out;
    }
    case 'GlobalAvgPool': {
      const C = xs[3];
      for (let n = 0; n < N; n++) refGlobalAvgPool(xImg / C, C, img(x, n, xImg), C, img(y, n, yImg), Act.linear);
      return out;
    }
    case 'Flatten':
    case 'Reshape':
      y.set(x);
      return out;
    case 'Softmax': {
      const C = xs[xs.length - 1];
      refSoftmax(x.length / C, C, x, C, y, C);
      return out;
    }
    case 'Resize': {
      const a = node.attrs as OpAttrs['Resize'];
      const [, H, W, C] = xs;
      const mode = a.coord === 'legacy' ? 0 : a.coord === 'align_corners' ? 1 : 2;
      for (let n = 0; n < N; n++) {
        if (a.mode === 'bilinear') refResizeBilinear(H, W, C, img(x, n, xImg), C, a.size[0], a.size[1], img(y, n, yImg), C, mode);
        // TF nearest: floor for legacy, round half up otherwise
        else refResizeNearest(H, W, C, img(x, n, xImg), C, a.size[0], a.size[1], img(y, n, yImg), C, mode, mode === 0 ? 0 : 3);
      }
      return out;
    }
    case 'CReLU': {
      const C = xs[xs.length - 1];
      refCrelu(x.length / C, C, x, C, y, 2 * C, code((node.attrs as OpAttrs['CReLU']).act));
      return out;
    }
    case 'DepthToSpace': {
      const [bh, bw] = (node.attrs as OpAttrs['DepthToSpace']).block;
      const [, H, W, CI] = xs;
      const C = CI / (bh * bw);
      for (let n = 0; n < N; n++) {
        for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) for (let c = 0; c < C; c++) {
          y[((n * H * bh + h * bh + by) * W * bw + w * bw + bx) * C + c] = x[((n * H + h) * W + w) * CI + (by * bw + bx) * C + c];
        }
      }
      return out;
    }
    case 'Pad': {
      const { pads } = node.attrs as OpAttrs['Pad'];
      const [, H, W, C] = xs;
      const [, OH, OW] = os;
      for (let n = 0; n < N; n++) {
        const xi = img(x, n, xImg);
        const yi = img(y, n, yImg);
        for (let r = 0; r < H; r++) refCopy2d(W, C, xi.subarray(r * W * C), C, yi.subarray(((r + pads[0]) * OW + pads[1]) * C), C);
        void OH;
      }
      return out;
    }
  }
}
