import { UnsupportedOpError } from '../errors.js';
import { BINARY_OPS, type Constant, type Node, type OpAttrs } from '../graph/ir.js';
import { sizeOf } from '../graph/ir.js';
import { Act, type ActName } from '../kernels/act.js';
import type { Kernels } from '../kernels/loader.js';
import * as ops from '../kernels/ops.js';
import type { TensorLayout } from './layout.js';

/** One recorded kernel call: the run loop does `fn.apply(undefined, args)`. */
export interface Step {
  node: string;
  op: string;
  kernel: string;
  fn: (...args: number[]) => number | void;
  args: number[];
}

/** Ops the planner lowers to kernels. */
export const LOWERED_OPS = [
  'Conv2D', 'DepthwiseConv2D', 'ConvTranspose2D', 'FullyConnected', 'BatchNorm', 'Activation', 'Add', 'Mul', 'Sub', 'Div', 'Max', 'Min', 'Prelu', 'Concat', 'Split',
  'ChannelShuffle', 'MaxPool', 'AvgPool', 'GlobalAvgPool', 'Flatten', 'Reshape', 'Softmax', 'Resize', 'CReLU', 'Pad', 'DepthToSpace',
] as const;

export interface LowerContext {
  k: Kernels;
  layouts: Map<string, TensorLayout>;
  constants: Map<string, Constant>;
  /** Pointer of an activation tensor (its first float). */
  ptr(name: string): number;
  /** Uploads packed weights (or any constant floats) once, returns the pointer. */
  upload(data: Float32Array): number;
  /** Pointer of a raw constant uploaded as is (cached). */
  constPtr(name: string): number;
  /** Pointer of a buffer of at least n zeros (shared; Pad borders are copied from it). */
  zeros(n: number): number;
}

const act = (a: ActName) => Act[a];

/**
 * Lowers one node by calling the validating kernel wrappers on a recording view of the kernel
 * library: every argument is checked once, here, and the calls are kept as steps.
 */
export function lowerNode(ctx: LowerContext, node: Node, steps: Step[]): void {
  const rec = Object.create(ctx.k) as Kernels;
  (rec as { fn: Kernels['fn'] }).fn = (name: string) => {
    const fn = ctx.k.fn(name);
    return (...args: number[]) => {
      steps.push({ node: node.name, op: node.op, kernel: name, fn, args });
    };
  };
  const L = (t: string) => ctx.layouts.get(t)!;
  const x = node.inputs[0] ? L(node.inputs[0]) : undefined;
  const y = L(node.outputs[0]);
  const data = (i: number): Float32Array | null => (node.inputs[i] ? ctx.constants.get(node.inputs[i])?.data ?? notConst(node, i) : null);
  const N = y.shape[0];
  const perImage = (l: TensorLayout) => (sizeOf(l.shape) / l.shape[0] / l.channels) * l.stride * 4;
  const img = (l: TensorLayout, n: number) => ctx.ptr(l.name) + n * perImage(l);
  const rows = (l: TensorLayout) => sizeOf(l.shape) / l.channels;

  switch (node.op) {
    case 'Conv2D': {
      const a = node.attrs as OpAttrs['Conv2D'];
      const [, H, W, C] = x!.shape;
      const [, OH, OW, CO] = y.shape;
      const res = node.inputs[3] ? L(node.inputs[3]) : undefined;
      const pointwise = a.kernel[0] === 1 && a.kernel[1] === 1 && a.strides[0] === 1 && a.strides[1] === 1 && a.pads.every((p) => p === 0);
      if (pointwise) {
        const m = N * H * W;
        const tile = ops.selectGemmTile({ m, n: CO / a.groups, k: C / a.groups });
        const packed = ops.packGroupedPointwise(data(1)!, data(2), CO, C, a.groups, ops.gemmTileShape(tile)[1]).map((p) => ctx.upload(p));
        ops.pointwiseConv(rec, {
          m, cin: C, cout: CO, groups: a.groups, input: ctx.ptr(x!.name), inStride: x!.stride, output: ctx.ptr(y.name), outStride: y.stride,
          packedPerGroup: packed, act: act(a.act), residual: res ? ctx.ptr(res.name) : 0, residualStride: res?.stride, tile,
        });
        return;
      }
      const w = ctx.upload(ops.packConvWeights(data(1)!, data(2), CO, a.kernel[0], a.kernel[1], C, a.groups));
      for (let n = 0; n < N; n++) {
        ops.conv(rec, {
          inH: H, inW: W, cin: C, x: img(x!, n), xStride: x!.stride, outH: OH, outW: OW, cout: CO, y: img(y, n), yStride: y.stride, w,
          kh: a.kernel[0], kw: a.kernel[1], strideH: a.strides[0], strideW: a.strides[1], dilH: a.dilations[0], dilW: a.dilations[1],
          padTop: a.pads[0], padLeft: a.pads[1], groups: a.groups, act: res ? Act.linear : act(a.act),
        });
      }
      // The conv kernel has no residual input: add it (before the activation) in place over y.
      if (res) {
        ops.vbinary(rec, { op: 'add', rows: rows(y), cols: CO, a: ctx.ptr(y.name), aStride: y.stride, b: ctx.ptr(res.name), bStride: res.stride, y: ctx.ptr(y.name), yStride: y.stride, act: act(a.act) });
      }
      return;
    }
    case 'DepthwiseConv2D': {
      const a = node.attrs as OpAttrs['DepthwiseConv2D'];
      const [, H, W, C] = x!.shape;
      const [, OH, OW] = y.shape;
      const w = ctx.upload(ops.packDwconvWeights(data(1)!, data(2), C, a.kernel[0], a.kernel[1]));
      for (let n = 0; n < N; n++) {
        ops.dwconv(rec, {
          inH: H, inW: W, c: C, x: img(x!, n), xStride: x!.stride, outH: OH, outW: OW, y: img(y, n), yStride: y.stride, w,
          kh: a.kernel[0], kw: a.kernel[1], strideH: a.strides[0], strideW: a.strides[1], dilationH: a.dilations[0], dilationW: a.dilations[1],
          padTop: a.pads[0], padLeft: a.pads[1], padBottom: a.pads[2], padRight: a.pads[3], act: act(a.act),
        });
      }
      return;
    }
    case 'ConvTranspose2D': {
      const a = node.attrs as OpAttrs['ConvTranspose2D'];
      const [, H, W, C] = x!.shape;
      const [, OH, OW, CO] = y.shape;
      const w = ctx.upload(ops.packDeconvWeights(data(1)!, data(2), CO, a.kernel[0], a.kernel[1], C));
      for (let n = 0; n < N; n++) {
        ops.deconv(rec, {
          inH: H, inW: W, cin: C, x: img(x!, n), xStride: x!.stride, outH: OH, outW: OW, cout: CO, y: img(y, n), yStride: y.stride, w,
          kh: a.kernel[0], kw: a.kernel[1], strideH: a.strides[0], strideW: a.strides[1], padTop: a.pads[0], padLeft: a.pads[1], act: act(a.act),
        });
      }
      return;
    }
    case 'FullyConnected': {
      const a = node.attrs as OpAttrs['FullyConnected'];
      const K = sizeOf(x!.shape) / N;
      const nOut = y.channels;
      // x is [N,K] or [N,1,1,K]: one row of K floats per image, rows x.stride apart (a view may be strided).
      if (N === 1) {
        const w = ctx.upload(ops.packGemvWeights(data(1)!, data(2), nOut, K));
        ops.gemv(rec, { n: nOut, k: K, x: ctx.ptr(x!.name), w, y: ctx.ptr(y.name), act: act(a.act) });
      } else {
        const tile = ops.selectGemmTile({ m: N, n: nOut, k: K });
        const w = ctx.upload(ops.packGemmWeights(data(1)!, data(2), nOut, K, ops.gemmTileShape(tile)[1]));
        ops.gemm(rec, { m: N, n: nOut, k: K, a: ctx.ptr(x!.name), aStride: x!.stride, w, c: ctx.ptr(y.name), cStride: y.stride, act: act(a.act), tile });
      }
      return;
    }
    case 'BatchNorm': {
      const { epsilon } = node.attrs as OpAttrs['BatchNorm'];
      const [gamma, beta, mean, variance] = [data(1)!, data(2)!, data(3)!, data(4)!];
      const C = x!.channels;
      const scale = new Float32Array(C);
      const shift = new Float32Array(C);
      for (let c = 0; c < C; c++) {
        scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
        shift[c] = beta[c] - mean[c] * scale[c];
      }
      const r = rows(x!);
      ops.vbinary(rec, { op: 'mul', rows: r, cols: C, a: ctx.ptr(x!.name), aStride: x!.stride, b: ctx.upload(scale), bStride: 0, y: ctx.ptr(y.name), yStride: y.stride, act: Act.linear });
      ops.vbinary(rec, { op: 'add', rows: r, cols: C, a: ctx.ptr(y.name), aStride: y.stride, b: ctx.upload(shift), bStride: 0, y: ctx.ptr(y.name), yStride: y.stride, act: Act.linear });
      return;
    }
    case 'Activation':
      ops.vunary(rec, { rows: rows(x!), cols: x!.channels, x: ctx.ptr(x!.name), xStride: x!.stride, y: ctx.ptr(y.name), yStride: y.stride, act: act((node.attrs as OpAttrs['Activation']).act) });
      return;
    case 'Add':
    case 'Mul':
    case 'Sub':
    case 'Div':
    case 'Max':
    case 'Min':
    case 'Prelu': {
      const a = act((node.attrs as OpAttrs['Add']).act);
      const op = BINARY_OPS[node.op];
      const bName = node.inputs[1];
      const C = x!.channels;
      const bConst = ctx.constants.get(bName);
      const bShape = bConst ? bConst.shape : L(bName).shape;
      if (sizeOf(bShape) === sizeOf(x!.shape)) {
        const b = bConst ? { ptr: ctx.constPtr(bName), stride: C } : { ptr: ctx.ptr(bName), stride: L(bName).stride };
        ops.vbinary(rec, { op, rows: rows(x!), cols: C, a: ctx.ptr(x!.name), aStride: x!.stride, b: b.ptr, bStride: b.stride, y: ctx.ptr(y.name), yStride: y.stride, act: a });
      } else if (sizeOf(bShape) === C) {
        const b = bConst ? ctx.constPtr(bName) : ctx.ptr(bName);
        ops.vbinary(rec, { op, rows: rows(x!), cols: C, a: ctx.ptr(x!.name), aStride: x!.stride, b, bStride: 0, y: ctx.ptr(y.name), yStride: y.stride, act: a });
      } else {
        // [N,1,1,C]: one channel vector per image (SE gate)
        const b = bConst ? ctx.constPtr(bName) : ctx.ptr(bName);
        const bRow = bConst ? C : L(bName).stride;
        const px = rows(x!) / N;
        for (let n = 0; n < N; n++) {
          ops.vbinary(rec, { op, rows: px, cols: C, a: img(x!, n), aStride: x!.stride, b: b + 4 * n * bRow, bStride: 0, y: img(y, n), yStride: y.stride, act: a });
        }
      }
      return;
    }
    case 'Concat': {
      let off = 0;
      for (const t of node.inputs) {
        const l = L(t);
        const inPlace = l.alias?.of === y.name && l.alias.byteOffset === 4 * off;
        if (!inPlace) ops.copy2d(rec, { rows: rows(l), cols: l.channels, x: ctx.ptr(t), xStride: l.stride, y: ctx.ptr(y.name) + 4 * off, yStride: y.stride });
        off += l.channels;
      }
      return;
    }
    case 'Split': {
      let off = 0;
      for (const o of node.outputs) {
        const l = L(o);
        if (l.alias?.of !== x!.name) ops.copy2d(rec, { rows: rows(l), cols: l.channels, x: ctx.ptr(x!.name) + 4 * off, xStride: x!.stride, y: ctx.ptr(o), yStride: l.stride });
        off += l.channels;
      }
      return;
    }
    case 'Flatten':
    case 'Reshape':
      if (y.alias?.of !== x!.name) {
        // a strided or kept input: gather pixel by pixel into the contiguous output
        ops.copy2d(rec, { rows: rows(x!), cols: x!.channels, x: ctx.ptr(x!.name), xStride: x!.stride, y: ctx.ptr(y.name), yStride: x!.channels });
      }
      return;
    case 'ChannelShuffle':
      ops.channelShuffle(rec, { pixels: rows(x!), groups: (node.attrs as OpAttrs['ChannelShuffle']).groups, c: x!.channels, x: ctx.ptr(x!.name), xStride: x!.stride, y: ctx.ptr(y.name), yStride: y.stride });
      return;
    case 'MaxPool':
    case 'AvgPool': {
      const a = node.attrs as OpAttrs['AvgPool'];
      const [, H, W, C] = x!.shape;
      const [, OH, OW] = y.shape;
      for (let n = 0; n < N; n++) {
        const args = {
          inH: H, inW: W, c: C, x: img(x!, n), xStride: x!.stride, outH: OH, outW: OW, y: img(y, n), yStride: y.stride,
          kh: a.kernel[0], kw: a.kernel[1], strideH: a.strides[0], strideW: a.strides[1], padTop: a.pads[0], padLeft: a.pads[1], act: Act.linear,
        };
        if (node.op === 'MaxPool') ops.maxPool(rec, args);
        else ops.avgPool(rec, { ...args, countIncludePad: a.countIncludePad });
      }
      return;
    }
    case 'GlobalAvgPool': {
      const px = rows(x!) / N;
      for (let n = 0; n < N; n++) ops.globalAvgPool(rec, { pixels: px, c: x!.channels, x: img(x!, n), xStride: x!.stride, y: ctx.ptr(y.name) + 4 * n * y.stride, act: Act.linear });
      return;
    }
    case 'Softmax':
      ops.softmax(rec, { rows: rows(x!), cols: x!.channels, x: ctx.ptr(x!.name), xStride: x!.stride, y: ctx.ptr(y.name), yStride: y.stride });
      return;
    case 'Resize': {
      const a = node.attrs as OpAttrs['Resize'];
      const [, H, W, C] = x!.shape;
      const args = { batch: N, inH: H, inW: W, c: C, x: ctx.ptr(x!.name), xStride: x!.stride, outH: a.size[0], outW: a.size[1], y: ctx.ptr(y.name), yStride: y.stride, mode: a.coord };
      if (a.mode === 'bilinear') ops.resizeBilinear(rec, args);
      else ops.resizeNearest(rec, args);
      return;
    }
    case 'CReLU':
      ops.crelu(rec, { pixels: rows(x!), c: x!.channels, x: ctx.ptr(x!.name), xStride: x!.stride, y: ctx.ptr(y.name), yStride: y.stride, act: act((node.attrs as OpAttrs['CReLU']).act) });
      return;
    case 'DepthToSpace': {
      // per (image, input row, by): the W pixels' bw*C values land in output row h*bh + by; one
      // strided copy per (.., bx) when the output is a channel slice of a wider buffer
      const [bh, bw] = (node.attrs as OpAttrs['DepthToSpace']).block;
      const [, H, W] = x!.shape;
      const C = y.channels;
      const OW = W * bw;
      const contiguous = y.stride === C;
      for (let n = 0; n < N; n++) {
        for (let h = 0; h < H; h++) {
          for (let by = 0; by < bh; by++) {
            const src = ctx.ptr(x!.name) + 4 * (((n * H + h) * W) * x!.stride + by * bw * C);
            const dst = ctx.ptr(y.name) + 4 * (((n * H + h) * bh + by) * OW) * y.stride;
            if (contiguous) ops.copy2d(rec, { rows: W, cols: bw * C, x: src, xStride: x!.stride, y: dst, yStride: bw * C });
            else for (let bx = 0; bx < bw; bx++) ops.copy2d(rec, { rows: W, cols: C, x: src + 4 * bx * C, xStride: x!.stride, y: dst + 4 * bx * y.stride, yStride: bw * y.stride });
          }
        }
      }
      return;
    }
    case 'Pad': {
      // Borders are copied from a zero buffer: [top rows + left of row 0], the H-1 gaps (right of
      // row r + left of row r+1, contiguous), [right of the last row + bottom rows]; then the interior.
      const [pt, pl, pb, pr] = (node.attrs as OpAttrs['Pad']).pads;
      const [, H, W, C] = x!.shape;
      const OW = y.shape[2];
      if (y.stride !== C) throw new UnsupportedOpError(`node '${node.name}' (Pad): output must be contiguous`);
      const top = (pt * OW + pl) * C;
      const gap = (pr + pl) * C;
      const bottom = (pr + pb * OW) * C;
      const zeros = ctx.zeros(Math.max(top, bottom, gap * (H - 1)));
      for (let n = 0; n < N; n++) {
        const y0 = img(y, n);
        const px = (p: number) => y0 + 4 * p * C;
        if (top) ops.copy2d(rec, { rows: 1, cols: top, x: zeros, y: y0 });
        if (gap && H > 1) ops.copy2d(rec, { rows: H - 1, cols: gap, x: zeros, xStride: gap, y: px(pt * OW + pl + W), yStride: OW * C });
        if (bottom) ops.copy2d(rec, { rows: 1, cols: bottom, x: zeros, y: px((pt + H - 1) * OW + pl + W) });
        if (x!.stride === C) ops.copy2d(rec, { rows: H, cols: W * C, x: img(x!, n), xStride: W * C, y: px(pt * OW + pl), yStride: OW * C });
        else {
          for (let r = 0; r < H; r++) {
            ops.copy2d(rec, { rows: W, cols: C, x: img(x!, n) + 4 * r * W * x!.stride, xStride: x!.stride, y: px((pt + r) * OW + pl), yStride: C });
          }
        }
      }
      return;
    }
    default:
      throw new UnsupportedOpError(`node '${node.name}': op '${node.op}' cannot be run by sepconv; supported ops: ${LOWERED_OPS.join(', ')}`);
  }
}

function notConst(node: Node, i: number): never {
  throw new UnsupportedOpError(
    `node '${node.name}' (${node.op}): input ${i} '${node.inputs[i]}' must be a constant (weights computed at run time are not supported)`,
  );
}
