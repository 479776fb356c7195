import { deconvPadsAxis } from '../../graph/padding.js';
import { type Fused, type TfConverter, type TfNode } from './tf-converter.js';
import { transposeValue } from './tf-ops-shape.js';

/** Convolutions, matmul, pooling, resizing, batch norm and mean: the layers with weights or windows. */
export const NN_OPS = [
  'Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'Conv2DBackpropInput', 'MatMul', '_FusedMatMul',
  'AvgPool', 'MaxPool', 'Mean', 'ResizeBilinear', 'ResizeNearestNeighbor', 'FusedBatchNorm', 'FusedBatchNormV3',
] as const;

const NO_FUSION: Fused = { bias: false, act: 'linear' };

export function convertNn(cv: TfConverter, n: TfNode): boolean {
  const b = cv.b;
  switch (n.op) {
    case 'Conv2D':
    case '_FusedConv2D':
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2dNative': {
      cv.checkNhwc(n);
      const x = cv.tensor(n, 0);
      const xs = b.shape(x);
      if (xs.length !== 4) cv.unsupported(n, `input of rank ${xs.length} (needs NHWC, rank 4)`);
      const f = cv.constIn(n, 1, 'the filter');
      if (f.shape.length !== 4) cv.formatError(n, `filter has shape [${f.shape.join(',')}], expected [kh,kw,cin,cout]`);
      const [kh, kw, ci, co] = f.shape;
      const s = cv.ints(n, 'strides');
      const d = cv.ints(n, 'dilations', [1, 1, 1, 1]);
      const fused = n.op.startsWith('_Fused') || n.op.startsWith('Fused') ? cv.fusedOps(n) : NO_FUSION;
      const pads = cv.pads(n, x, [kh, kw], [s[1], s[2]], [d[1], d[2]]);
      const depthwise = n.op.includes('Depthwise');
      const cin = xs[3];
      const inputs = [x];
      if (depthwise) {
        if (co !== 1) cv.unsupported(n, `channel multiplier ${co} (only 1)`);
        if (ci !== cin) cv.formatError(n, `filter has ${ci} channels but the input has ${cin}`);
        inputs.push(b.constant(b.freshName(`${n.name}/weight`), [kh, kw, ci], Float32Array.from(f.data), f.affine));
      } else {
        if (cin % ci !== 0) cv.formatError(n, `input has ${cin} channels, not a multiple of the filter's ${ci} input channels`);
        const groups = cin / ci;
        if (co % groups !== 0) cv.formatError(n, `${co} output channels are not divisible by ${groups} groups (input ${cin} / filter ${ci} channels)`);
        // HWIO -> OHWI
        const w = new Float32Array(f.data.length);
        for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
          w[((o * kh + y) * kw + xx) * ci + i] = f.data[((y * kw + xx) * ci + i) * co + o];
        }
        inputs.push(b.constant(b.freshName(`${n.name}/weight`), [co, kh, kw, ci], w, f.affine));
      }
      if (fused.bias) {
        const bias = cv.constIn(n, 2, 'the bias');
        inputs.push(b.constant(b.freshName(`${n.name}/bias`), [bias.data.length], Float32Array.from(bias.data)));
      }
      const common = { kernel: [kh, kw] as [number, number], strides: [s[1], s[2]] as [number, number], dilations: [d[1], d[2]] as [number, number], pads, act: fused.act };
      cv.set(n, cv.withPrelu(n, fused, (name) =>
        depthwise ? b.node('DepthwiseConv2D', name, inputs, common)[0] : b.node('Conv2D', name, inputs, { ...common, groups: cin / ci })[0]));
      return true;
    }
    case 'Conv2DBackpropInput': {
      cv.checkNhwc(n);
      const sizes = cv.intsIn(n, 0, 'input_sizes');
      const f = cv.constIn(n, 1, 'the filter');
      const x = cv.tensor(n, 2);
      const [kh, kw, co, ci] = f.shape;
      const s = cv.ints(n, 'strides');
      const d = cv.ints(n, 'dilations', [1, 1, 1, 1]);
      if (d[1] !== 1 || d[2] !== 1) cv.unsupported(n, `dilations [${d.join(',')}] (transposed convolution supports dilation 1)`);
      const [, H, W, C] = b.shape(x);
      if (C !== ci) cv.formatError(n, `filter expects ${ci} input channels but the input has ${C}`);
      const [outH, outW] = [sizes[1], sizes[2]];
      const padding = cv.str(n, 'padding');
      if (padding !== 'SAME' && padding !== 'VALID') cv.unsupported(n, `padding '${padding}'`);
      const [pt, pb] = deconvPadsAxis(H, outH, kh, s[1]);
      const [pl, pr] = deconvPadsAxis(W, outW, kw, s[2]);
      const w = new Float32Array(f.data.length);
      for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) {
        w[((o * kh + y) * kw + xx) * ci + i] = f.data[((y * kw + xx) * co + o) * ci + i];
      }
      const wt = b.constant(b.freshName(`${n.name}/weight`), [co, kh, kw, ci], w, f.affine);
      cv.set(n, b.node('ConvTranspose2D', n.name, [x, wt], { kernel: [kh, kw], strides: [s[1], s[2]], pads: [pt, pl, pb, pr], act: 'linear', outputSize: [outH, outW] })[0]);
      return true;
    }
    case 'MatMul':
    case '_FusedMatMul': {
      let va = cv.value(n, 0);
      if (cv.shapeOf(va).length !== 2) cv.unsupported(n, `input a of shape [${cv.shapeOf(va).join(',')}] (needs [N, K])`);
      if ('c' in va) cv.unsupported(n, 'a constant first operand (a must be the activations)');
      // transpose_a: a^T as a channel shuffle of a's values (K groups of M -> M groups of K)
      if (cv.bool(n, 'transpose_a')) va = transposeValue(cv, n, va, [1, 0], `${n.name}/a_transposed`);
      const xs = cv.shapeOf(va);
      const x = cv.materialize(va, `${n.name}/a`, n);
      const f = cv.constIn(n, 1, 'the weight matrix b');
      const tb = cv.bool(n, 'transpose_b');
      const [K, nOut] = tb ? [f.shape[1], f.shape[0]] : [f.shape[0], f.shape[1]];
      if (f.shape.length !== 2 || K !== xs[1]) cv.formatError(n, `a is [${xs.join(',')}] but b is [${f.shape.join(',')}]${tb ? ' (transposed)' : ''}`);
      const w = new Float32Array(nOut * K);
      for (let k = 0; k < K; k++) for (let j = 0; j < nOut; j++) w[j * K + k] = tb ? f.data[j * K + k] : f.data[k * nOut + j];
      const fused = n.op === '_FusedMatMul' ? cv.fusedOps(n) : NO_FUSION;
      const inputs = [x, b.constant(b.freshName(`${n.name}/weight`), [nOut, K], w, f.affine)];
      if (fused.bias) {
        const bias = cv.constIn(n, 2, 'the bias');
        inputs.push(b.constant(b.freshName(`${n.name}/bias`), [nOut], cv.channelVector(n, bias, nOut, 'the bias')));
      }
      cv.set(n, cv.withPrelu(n, fused, (name) => b.node('FullyConnected', name, inputs, { act: fused.act })[0]));
      return true;
    }
    case 'AvgPool':
    case 'MaxPool': {
      cv.checkNhwc(n);
      const x = cv.tensor(n, 0);
      const k = cv.ints(n, 'ksize');
      const s = cv.ints(n, 'strides');
      if (k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) cv.unsupported(n, `ksize [${k.join(',')}] / strides [${s.join(',')}] pool over batch or channels`);
      const [, H, W] = b.shape(x);
      const pads = cv.pads(n, x, [k[1], k[2]], [s[1], s[2]], [1, 1]);
      if (n.op === 'AvgPool' && k[1] === H && k[2] === W && pads.every((p) => p === 0)) {
        cv.set(n, b.node('GlobalAvgPool', n.name, [x], {})[0]);
      } else if (n.op === 'AvgPool') {
        cv.set(n, b.node('AvgPool', n.name, [x], { kernel: [k[1], k[2]], strides: [s[1], s[2]], pads, countIncludePad: false })[0]);
      } else {
        cv.set(n, b.node('MaxPool', n.name, [x], { kernel: [k[1], k[2]], strides: [s[1], s[2]], pads })[0]);
      }
      return true;
    }
    case 'Mean': {
      const xs = cv.shapeOf(cv.value(n, 0));
      const axes = [...new Set(cv.intsIn(n, 1, 'reduction_indices').map((a) => (a < 0 ? a + xs.length : a)))].sort();
      const keep = cv.bool(n, 'keep_dims') || cv.bool(n, 'keepdims');
      if (xs.length !== 4 || axes.join() !== '1,2') cv.unsupported(n, `mean over axes [${axes.join(',')}] of a [${xs.join(',')}] tensor (supported: the spatial axes [1,2] of NHWC)`);
      const x = cv.tensor(n, 0);
      if (keep) cv.set(n, b.node('GlobalAvgPool', n.name, [x], {})[0]);
      else {
        const g = b.node('GlobalAvgPool', b.freshName(`${n.name}/pool`), [x], {})[0];
        cv.vals.set(n.name, { t: g, shape: [xs[0], xs[3]], name: n.name });
      }
      return true;
    }
    case 'ResizeBilinear':
    case 'ResizeNearestNeighbor': {
      const x = cv.tensor(n, 0);
      if (b.shape(x).length !== 4) cv.unsupported(n, `input of shape [${b.shape(x).join(',')}] (needs NHWC)`);
      const size = cv.intsIn(n, 1, 'size');
      const align = cv.bool(n, 'align_corners');
      const half = cv.bool(n, 'half_pixel_centers');
      if (align && half) cv.unsupported(n, 'align_corners and half_pixel_centers both true');
      const coord = align ? 'align_corners' : half ? 'half_pixel' : 'legacy';
      const mode = n.op === 'ResizeBilinear' ? 'bilinear' : 'nearest';
      cv.set(n, b.node('Resize', n.name, [x], { size: [size[0], size[1]], mode, coord })[0]);
      return true;
    }
    case 'FusedBatchNorm':
    case 'FusedBatchNormV3': {
      cv.checkNhwc(n);
      if (cv.bool(n, 'is_training')) cv.unsupported(n, 'is_training = true');
      const x = cv.tensor(n, 0);
      const C = b.channels(x);
      const params = [1, 2, 3, 4].map((i) => {
        const what = ['scale', 'offset', 'mean', 'variance'][i - 1];
        return b.constant(b.freshName(`${n.name}/${what}`), [C], cv.channelVector(n, cv.constIn(n, i, `the ${what}`), C, `the ${what}`));
      });
      cv.set(n, b.node('BatchNorm', n.name, [x, ...params], { epsilon: n.attr?.epsilon?.f ?? 1e-3 })[0]);
      return true;
    }
    default:
      return false;
  }
}

