import type { Pads } from '../../graph/ir.js';
import type { OnnxNodeProto } from './proto.js';
import { transposeData, type ConstTensor } from './tensor.js';
import { fmt, pairAttr, windowPads, type OnnxConverter, type TensorValue } from './converter.js';

/** Convolution, normalization, pooling and dense ops. */
export const NN_OPS = [
  'Conv', 'ConvTranspose', 'BatchNormalization', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'ReduceMean', 'Gemm', 'MatMul', 'Flatten', 'Softmax',
] as const;

/** A 4-D (NCHW) tensor input. */
function image(cv: OnnxConverter, n: OnnxNodeProto, i = 0): TensorValue {
  const x = cv.tensor(n, i);
  if (x.shape.length !== 4) cv.unsupported(n, `input '${n.input![i]}' has shape ${fmt(x.shape)} (sepconv supports 2-D convolution / pooling on 4-D NCHW tensors)`);
  return x;
}

function bias(cv: OnnxConverter, n: OnnxNodeProto, i: number, count: number): string | undefined {
  if (!cv.has(n, i)) return undefined;
  const c = cv.constIn(n, i, 'the bias');
  if (c.data.length !== count) cv.formatError(n, `bias has shape ${fmt(c.shape)} but there are ${count} output channels`);
  return cv.weight(`${n.input![i]}`, [count], Float32Array.from(c.data));
}

function conv(cv: OnnxConverter, n: OnnxNodeProto): void {
  const x = image(cv, n);
  const w = cv.constIn(n, 1, 'the weight');
  const [, C, H, W] = x.shape;
  const group = cv.int(n, 'group', 1);
  if (w.shape.length !== 4) cv.unsupported(n, `weight of shape ${fmt(w.shape)} (sepconv supports 2-D convolutions: [M, C/group, kH, kW])`);
  const [M, cig, kh, kw] = w.shape;
  if (group < 1 || C % group !== 0 || M % group !== 0 || cig !== C / group) {
    cv.formatError(n, `input ${fmt(x.shape)}, weight ${fmt(w.shape)} and group = ${group} do not fit (weight must be [M, C/group, kH, kW] with M and C divisible by group)`);
  }
  const k = pairAttr(cv, n, 'kernel_shape', [kh, kw]);
  if (k[0] !== kh || k[1] !== kw) cv.formatError(n, `kernel_shape [${k.join(',')}] does not match the weight ${fmt(w.shape)}`);
  const s = pairAttr(cv, n, 'strides', [1, 1]);
  const d = pairAttr(cv, n, 'dilations', [1, 1]);
  const pads = windowPads(cv, n, [H, W], k, s, d);
  const b = bias(cv, n, 2, M);
  const name = cv.outName(n);
  const wname = n.input![1];
  let y: string;
  if (group === C && M === C && group > 1) {
    // depthwise: [C,1,kh,kw] -> [kh][kw][C]
    const data = transposeData(Float32Array.from(w.data), [C, kh, kw], [1, 2, 0]);
    const inputs = [x.t, cv.weight(wname, [kh, kw, C], data), ...(b ? [b] : [])];
    y = cv.b.node('DepthwiseConv2D', name, inputs, { kernel: k, strides: s, dilations: d, pads, act: 'linear' })[0];
  } else {
    // OIHW -> [cout][kh][kw][cin/groups]
    const data = transposeData(Float32Array.from(w.data), w.shape, [0, 2, 3, 1]);
    const inputs = [x.t, cv.weight(wname, [M, kh, kw, cig], data), ...(b ? [b] : [])];
    y = cv.b.node('Conv2D', name, inputs, { kernel: k, strides: s, dilations: d, pads, groups: group, act: 'linear' })[0];
  }
  cv.setTensor(n, y);
}

function convTranspose(cv: OnnxConverter, n: OnnxNodeProto): void {
  const x = image(cv, n);
  const w = cv.constIn(n, 1, 'the weight');
  const [, C, H, W] = x.shape;
  const group = cv.int(n, 'group', 1);
  if (group !== 1) cv.unsupported(n, `group = ${group} (sepconv's transposed convolution is not grouped)`);
  if (w.shape.length !== 4 || w.shape[0] !== C) cv.formatError(n, `weight ${fmt(w.shape)} must be [C = ${C}, M, kH, kW]`);
  const [, M, kh, kw] = w.shape;
  const k = pairAttr(cv, n, 'kernel_shape', [kh, kw]);
  if (k[0] !== kh || k[1] !== kw) cv.formatError(n, `kernel_shape [${k.join(',')}] does not match the weight ${fmt(w.shape)}`);
  const s = pairAttr(cv, n, 'strides', [1, 1]);
  const d = pairAttr(cv, n, 'dilations', [1, 1]);
  if (d[0] !== 1 || d[1] !== 1) cv.unsupported(n, `dilations [${d.join(',')}] (sepconv's transposed convolution is not dilated)`);
  const outPad = cv.ints(n, 'output_padding', [0, 0]);
  if (outPad.length !== 2) cv.unsupported(n, `output_padding [${outPad.join(',')}] (2-D only)`);
  const autoPad = cv.str(n, 'auto_pad', 'NOTSET');
  const outShape = cv.ints(n, 'output_shape', []);
  const full = [(H - 1) * s[0] + kh + outPad[0], (W - 1) * s[1] + kw + outPad[1]];
  let pads: Pads;
  let size: [number, number];
  if (outShape.length > 0 || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // the ONNX rule: total padding = full extent - output size, the odd one at the end (SAME_UPPER) / start
    const o = outShape.length > 0 ? outShape.slice(-2) : [H * s[0], W * s[1]];
    if (o.length !== 2) cv.unsupported(n, `output_shape [${outShape.join(',')}]`);
    const p: number[] = [];
    for (let ax = 0; ax < 2; ax++) {
      const total = full[ax] - o[ax];
      if (total < 0) cv.formatError(n, `output_shape [${outShape.join(',')}] exceeds the full output extent ${full[ax]}`);
      const lo = Math.floor(total / 2);
      p.push(autoPad === 'SAME_UPPER' ? lo : total - lo, autoPad === 'SAME_UPPER' ? total - lo : lo);
    }
    pads = [p[0], p[2], p[1], p[3]];
    size = [o[0], o[1]];
  } else {
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') cv.unsupported(n, `auto_pad '${autoPad}'`);
    const p = autoPad === 'VALID' ? [0, 0, 0, 0] : cv.ints(n, 'pads', [0, 0, 0, 0]);
    if (p.length !== 4) cv.unsupported(n, `pads [${p.join(',')}] (2-D only)`);
    pads = [p[0], p[1], p[2], p[3]];
    size = [full[0] - p[0] - p[2], full[1] - p[1] - p[3]];
  }
  // IR: output_padding rows are the tail of the uncropped extent, so the end pad shrinks by them
  // whenever the crop covers them (the IR output may exceed the natural size by < stride).
  for (let ax = 0; ax < 2; ax++) {
    const natural = (ax === 0 ? H - 1 : W - 1) * s[ax] + k[ax] - pads[ax] - pads[ax + 2];
    if (size[ax] > natural + s[ax] - 1 || size[ax] < 1) {
      cv.unsupported(n, `output size ${size[ax]} with stride ${s[ax]}, kernel ${k[ax]} and pads [${pads.join(',')}] (output_padding must be < stride)`);
    }
  }
  // [C][M][kh][kw] -> [M][kh][kw][C]
  const data = transposeData(Float32Array.from(w.data), w.shape, [1, 2, 3, 0]);
  const b = bias(cv, n, 2, M);
  const inputs = [x.t, cv.weight(n.input![1], [M, kh, kw, C], data), ...(b ? [b] : [])];
  const y = cv.b.node('ConvTranspose2D', cv.outName(n), inputs, { kernel: k, strides: s, pads, act: 'linear', outputSize: size })[0];
  cv.setTensor(n, y);
}

function batchNorm(cv: OnnxConverter, n: OnnxNodeProto): void {
  const x = cv.tensor(n, 0);
  if (cv.int(n, 'training_mode', 0) !== 0) cv.unsupported(n, 'training_mode = 1 (inference only)');
  if ((n.output?.filter((o) => o).length ?? 1) > 1) cv.unsupported(n, 'running mean / variance outputs (training mode)');
  const C = x.shape[1];
  if (x.shape.length !== 4 && x.shape.length !== 2) cv.unsupported(n, `input of shape ${fmt(x.shape)} (4-D NCHW or 2-D [N,C])`);
  const params = ['scale', 'B', 'input_mean', 'input_var'].map((what, i) => {
    const c = cv.constIn(n, i + 1, `the ${what}`);
    if (c.data.length !== C) cv.formatError(n, `${what} has ${c.data.length} values but the input ${fmt(x.shape)} has ${C} channels`);
    return cv.weight(n.input![i + 1], [C], Float32Array.from(c.data));
  });
  const y = cv.b.node('BatchNorm', cv.outName(n), [x.t, ...params], { epsilon: cv.float(n, 'epsilon', 1e-5) })[0];
  cv.setTensor(n, y);
}

function pool(cv: OnnxConverter, n: OnnxNodeProto): void {
  const x = image(cv, n);
  const [, , H, W] = x.shape;
  if (n.output && n.output.length > 1 && n.output[1]) cv.unsupported(n, 'the Indices output');
  const k = pairAttr(cv, n, 'kernel_shape', [0, 0]);
  const s = pairAttr(cv, n, 'strides', [1, 1]);
  const d = pairAttr(cv, n, 'dilations', [1, 1]);
  if (d[0] !== 1 || d[1] !== 1) cv.unsupported(n, `dilations [${d.join(',')}] (pooling windows are not dilated in sepconv)`);
  const pads = windowPads(cv, n, [H, W], k, s, [1, 1]);
  const countIncludePad = n.op_type === 'AveragePool' && cv.int(n, 'count_include_pad', 0) === 1;
  if (cv.int(n, 'ceil_mode', 0) === 1) {
    // ceil_mode: extra end padding (ignored by max / exclude-pad average) reaches the ceil output size,
    // as long as every extra window starts inside the input or its begin padding
    for (let ax = 0; ax < 2; ax++) {
      const size = ax === 0 ? H : W;
      const span = size + pads[ax] + pads[ax + 2] - k[ax];
      const out = Math.ceil(span / s[ax]) + 1;
      const fixedOut = (out - 1) * s[ax] >= size + pads[ax] ? out - 1 : out;
      const extra = (fixedOut - 1) * s[ax] + k[ax] - (size + pads[ax] + pads[ax + 2]);
      if (extra > 0) {
        if (countIncludePad) cv.unsupported(n, 'ceil_mode = 1 with count_include_pad = 1');
        pads[ax + 2] += extra;
      }
    }
  }
  for (let ax = 0; ax < 2; ax++) {
    if (pads[ax] >= k[ax] || pads[ax + 2] >= k[ax]) cv.unsupported(n, `pads [${pads.join(',')}] not smaller than the kernel [${k.join(',')}]`);
  }
  const op = n.op_type === 'MaxPool' ? 'MaxPool' : 'AvgPool';
  const attrs = op === 'MaxPool' ? { kernel: k, strides: s, pads } : { kernel: k, strides: s, pads, countIncludePad };
  const y = cv.b.node(op, cv.outName(n), [x.t], attrs as never)[0];
  cv.setTensor(n, y);
}

/** FullyConnected from a [K, n] (or transposed [n, K]) constant; flattened NHWC inputs get their weight rows permuted. */
function dense(cv: OnnxConverter, n: OnnxNodeProto, a: TensorValue, wc: ConstTensor, transB: boolean, alpha: number, bias: Float32Array | null): void {
  if (wc.shape.length !== 2) cv.unsupported(n, `weight of shape ${fmt(wc.shape)} (needs a 2-D constant)`);
  if (a.shape.length !== 2) cv.unsupported(n, `input of shape ${fmt(a.shape)} (needs a 2-D [N,K] tensor; Flatten 4-D tensors first)`);
  const K = a.shape[1];
  const [r, c] = wc.shape;
  const nOut = transB ? r : c;
  if ((transB ? c : r) !== K) cv.formatError(n, `input ${fmt(a.shape)} and weight ${fmt(wc.shape)}${transB ? ' (transB)' : ''} do not fit`);
  const w = new Float32Array(nOut * K);
  // IR weight [n][k]; k in IR order: for flattened NHWC inputs, IR index (h*W + w)*C + c reads ONNX index c*H*W + h*W + w
  let perm: ((k: number) => number) | null = null;
  if (a.flat) {
    const [C, H, W] = a.flat;
    perm = (k: number) => {
      const ch = k % C;
      const hw = (k - ch) / C;
      return ch * H * W + hw;
    };
  }
  for (let o = 0; o < nOut; o++) {
    for (let k = 0; k < K; k++) {
      const src = perm ? perm(k) : k;
      w[o * K + k] = alpha * (transB ? wc.data[o * K + src] : wc.data[src * nOut + o]);
    }
  }
  const inputs = [a.t, cv.weight(n.input![1], [nOut, K], w)];
  if (bias) inputs.push(cv.weight(n.input![2] || `${n.input![1]}/bias`, [nOut], bias));
  const y = cv.b.node('FullyConnected', cv.outName(n), inputs, { act: 'linear' })[0];
  cv.setTensor(n, y);
}

function gemm(cv: OnnxConverter, n: OnnxNodeProto): void {
  const a = cv.tensor(n, 0, true);
  if (cv.int(n, 'transA', 0) !== 0) cv.unsupported(n, 'transA = 1 (the activations must be [N,K])');
  const transB = cv.int(n, 'transB', 0) === 1;
  const alpha = cv.float(n, 'alpha', 1);
  const beta = cv.float(n, 'beta', 1);
  const w = cv.constIn(n, 1, 'B (the weight)');
  const nOut = transB ? w.shape[0] : w.shape[1];
  let bias: Float32Array | null = null;
  if (cv.has(n, 2)) {
    const c = cv.constIn(n, 2, 'C (the bias)');
    const ok = c.data.length === 1 || (c.data.length === nOut && c.shape[c.shape.length - 1] === nOut && c.shape.length <= 2 && (c.shape.length < 2 || c.shape[0] === 1));
    if (!ok) cv.unsupported(n, `C of shape ${fmt(c.shape)} (supported: a scalar, [${nOut}] or [1,${nOut}])`);
    bias = new Float32Array(nOut);
    for (let i = 0; i < nOut; i++) bias[i] = beta * c.data[c.data.length === 1 ? 0 : i];
  }
  dense(cv, n, a, w, transB, alpha, bias);
}

function flatten(cv: OnnxConverter, n: OnnxNodeProto): void {
  const v = cv.value(n, 0);
  const shape = cv.shapeOf(v);
  let axis = cv.int(n, 'axis', 1);
  if (axis < 0) axis += shape.length;
  const out = [shape.slice(0, axis).reduce((p, q) => p * q, 1), shape.slice(axis).reduce((p, q) => p * q, 1)];
  if ('c' in v) return cv.setConst(n, { ...v.c, shape: out });
  if (axis !== 1) cv.unsupported(n, `axis = ${axis} (supported: 1, keeping the batch axis)`);
  flattenTo(cv, n, cv.asTensor(n, v, n.input![0]), out);
}

/** [N,C,H,W] -> [N,C*H*W] (also for Reshape): IR Flatten, marked when H*W > 1 (NHWC order). */
export function flattenTo(cv: OnnxConverter, n: OnnxNodeProto, x: TensorValue, out: number[]): void {
  if (x.shape.length === 2) return cv.set(n, { t: x.t, shape: out, ...(x.flat ? { flat: x.flat } : {}) });
  if (x.shape.length !== 4) cv.unsupported(n, `input of shape ${fmt(x.shape)}`);
  const [, C, H, W] = x.shape;
  const y = cv.b.node('Flatten', cv.outName(n), [x.t], {})[0];
  cv.set(n, { t: y, shape: out, ...(H * W > 1 ? { flat: [C, H, W] as [number, number, number] } : {}) });
}

function softmax(cv: OnnxConverter, n: OnnxNodeProto): void {
  const x = cv.tensor(n, 0);
  const r = x.shape.length;
  let axis = cv.int(n, 'axis', cv.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += r;
  // opset < 13 flattens from `axis` on: the same as one axis when the axes after it are 1
  const single = cv.opset >= 13 || x.shape.slice(axis + 1).every((d) => d === 1);
  const irLast = r === 4 ? axis === 1 && single : axis === r - 1;
  if (!irLast) cv.unsupported(n, `axis = ${cv.int(n, 'axis', cv.opset >= 13 ? -1 : 1)} on a ${fmt(x.shape)} tensor at opset ${cv.opset} (supported: the channel axis 1 of NCHW tensors, the last axis of 2-D tensors)`);
  const y = cv.b.node('Softmax', cv.outName(n), [x.t], {})[0];
  cv.setTensor(n, y);
}

export function convertNn(cv: OnnxConverter, n: OnnxNodeProto): boolean {
  switch (n.op_type) {
    case 'Conv': conv(cv, n); return true;
    case 'ConvTranspose': convTranspose(cv, n); return true;
    case 'BatchNormalization': batchNorm(cv, n); return true;
    case 'MaxPool':
    case 'AveragePool': pool(cv, n); return true;
    case 'GlobalAveragePool': {
      const x = image(cv, n);
      cv.setTensor(n, cv.b.node('GlobalAvgPool', cv.outName(n), [x.t], {})[0]);
      return true;
    }
    case 'ReduceMean': {
      // the spatial mean (torch x.mean([2, 3])): GlobalAveragePool, [N,C] without keepdims
      const x = image(cv, n);
      const axes = (cv.opset >= 18 ? (cv.has(n, 1) ? cv.intsIn(n, 1, 'the axes') : []) : cv.ints(n, 'axes', [])).map((a) => (a < 0 ? a + 4 : a)).sort();
      if (axes.join(',') !== '2,3') cv.unsupported(n, `axes [${axes.join(',')}] (supported: [2,3], the spatial mean)`);
      const keep = cv.int(n, 'keepdims', 1) === 1;
      const y = cv.b.node('GlobalAvgPool', keep ? cv.outName(n) : cv.tmpName(n, 'gap'), [x.t], {})[0];
      cv.setTensor(n, keep ? y : cv.b.node('Flatten', cv.outName(n), [y], {})[0]);
      return true;
    }
    case 'Gemm': gemm(cv, n); return true;
    case 'MatMul': {
      const a = cv.tensor(n, 0, true);
      dense(cv, n, a, cv.constIn(n, 1, 'B (the weight)'), false, 1, null);
      return true;
    }
    case 'Flatten': flatten(cv, n); return true;
    case 'Softmax': softmax(cv, n); return true;
    default: return false;
  }
}
