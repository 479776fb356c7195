/**
 * A tiny, slow, obviously-correct NHWC evaluator used only to check that zoo weights keep activations in a
 * sane range (not a runtime; the real interpreter lives elsewhere). Follows docs/kernels.md semantics.
 */
import type { Graph, Node, OpAttrs } from '../../src/graph/ir.js';
import { inferShapes } from '../../src/graph/shapes.js';

const act = (v: number, a: string): number => {
  switch (a) {
    case 'relu': return Math.max(v, 0);
    case 'relu6': return Math.min(Math.max(v, 0), 6);
    case 'hswish': return (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
    case 'hsigmoid': return Math.min(Math.max(v + 3, 0), 6) / 6;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    default: return v;
  }
};

export function evaluate(graph: Graph, inputs: Record<string, Float32Array>): Map<string, Float32Array> {
  const shapes = inferShapes(graph);
  const vals = new Map<string, Float32Array>();
  for (const [n, k] of graph.constants) vals.set(n, k.data);
  for (const [n, v] of Object.entries(inputs)) vals.set(n, v);
  for (const node of graph.nodes) {
    const outs = run(node, (i) => vals.get(node.inputs[i])!, (i) => shapes.get(node.inputs[i])!, shapes.get(node.outputs[0])!, node.outputs.map((o) => shapes.get(o)!));
    node.outputs.forEach((o, i) => vals.set(o, outs[i]));
  }
  return vals;
}

function run(node: Node, v: (i: number) => Float32Array, s: (i: number) => number[], os: number[], allOs: number[][]): Float32Array[] {
  const size = (sh: number[]) => sh.reduce((a, b) => a * b, 1);
  const y = new Float32Array(size(os));
  const x = v(0);
  const xs = s(0);
  switch (node.op) {
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      const a = node.attrs as OpAttrs['Conv2D'];
      const dw = node.op === 'DepthwiseConv2D';
      const [N, H, W, C] = xs;
      const [, OH, OW, CO] = os;
      const w = v(1);
      const bias = node.inputs[2] ? v(2) : undefined;
      const [kh, kw] = a.kernel;
      const g = dw ? C : a.groups;
      const cig = C / g;
      const cog = CO / g;
      for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let o = 0; o < CO; o++) {
        let acc = bias ? bias[o] : 0;
        const gi = Math.floor(o / cog);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * a.strides[0] - a.pads[0] + ky * a.dilations[0];
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * a.strides[1] - a.pads[1] + kx * a.dilations[1];
            if (ix < 0 || ix >= W) continue;
            const base = ((n * H + iy) * W + ix) * C;
            if (dw) acc += x[base + o] * w[(ky * kw + kx) * C + o];
            else for (let ci = 0; ci < cig; ci++) acc += x[base + gi * cig + ci] * w[((o * kh + ky) * kw + kx) * cig + ci];
          }
        }
        y[((n * OH + oy) * OW + ox) * CO + o] = act(acc, a.act);
      }
      return [y];
    }
    case 'ConvTranspose2D': {
      const a = node.attrs as OpAttrs['ConvTranspose2D'];
      const [N, H, W, C] = xs;
      const [, OH, OW, CO] = os;
      const w = v(1);
      const [kh, kw] = a.kernel;
      for (let n = 0; n < N; n++) for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
        const oy = iy * a.strides[0] - a.pads[0] + ky;
        const ox = ix * a.strides[1] - a.pads[1] + kx;
        if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
        for (let o = 0; o < CO; o++) {
          let acc = 0;
          for (let ci = 0; ci < C; ci++) acc += x[((n * H + iy) * W + ix) * C + ci] * w[((o * kh + ky) * kw + kx) * C + ci];
          y[((n * OH + oy) * OW + ox) * CO + o] += acc;
        }
      }
      const bias = node.inputs[2] ? v(2) : undefined;
      for (let i = 0; i < y.length; i++) y[i] = act(y[i] + (bias ? bias[i % CO] : 0), a.act);
      return [y];
    }
    case 'BatchNorm': {
      const eps = (node.attrs as OpAttrs['BatchNorm']).epsilon;
      const [g, b, m, va] = [v(1), v(2), v(3), v(4)];
      const C = g.length;
      for (let i = 0; i < y.length; i++) { const c = i % C; y[i] = g[c] * (x[i] - m[c]) / Math.sqrt(va[c] + eps) + b[c]; }
      return [y];
    }
    case 'Activation':
      for (let i = 0; i < y.length; i++) y[i] = act(x[i], (node.attrs as OpAttrs['Activation']).act);
      return [y];
    case 'Add':
    case 'Mul': {
      const b = v(1);
      const bs = s(1);
      const C = xs[xs.length - 1];
      const HW = xs.length === 4 ? xs[1] * xs[2] : 1;
      for (let i = 0; i < y.length; i++) {
        let bi = i;
        if (bs.length === 1) bi = i % C;
        else if (size(bs) !== y.length) bi = Math.floor(i / (HW * C)) * C + (i % C);
        const r = node.op === 'Add' ? x[i] + b[bi] : x[i] * b[bi];
        y[i] = act(r, (node.attrs as OpAttrs['Add']).act);
      }
      return [y];
    }
    case 'Concat': {
      const CO = os[os.length - 1];
      const P = y.length / CO;
      let off = 0;
      node.inputs.forEach((_, k) => {
        const t = v(k);
        const c = s(k)[s(k).length - 1];
        for (let p = 0; p < P; p++) for (let ci = 0; ci < c; ci++) y[p * CO + off + ci] = t[p * c + ci];
        off += c;
      });
      return [y];
    }
    case 'ChannelShuffle': {
      const g = (node.attrs as OpAttrs['ChannelShuffle']).groups;
      const C = xs[xs.length - 1];
      const cpg = C / g;
      for (let p = 0; p < y.length / C; p++) for (let gi = 0; gi < g; gi++) for (let j = 0; j < cpg; j++) y[p * C + j * g + gi] = x[p * C + gi * cpg + j];
      return [y];
    }
    case 'Split': {
      const C = xs[xs.length - 1];
      const P = x.length / C;
      let off = 0;
      return allOs.map((sh) => {
        const c = sh[sh.length - 1];
        const t = new Float32Array(P * c);
        for (let p = 0; p < P; p++) for (let ci = 0; ci < c; ci++) t[p * c + ci] = x[p * C + off + ci];
        off += c;
        return t;
      });
    }
    case 'MaxPool':
    case 'AvgPool': {
      const a = node.attrs as OpAttrs['AvgPool'];
      const [N, H, W, C] = xs;
      const [, OH, OW] = os;
      for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) {
        let m = -Infinity, sum = 0, cnt = 0;
        for (let ky = 0; ky < a.kernel[0]; ky++) for (let kx = 0; kx < a.kernel[1]; kx++) {
          const iy = oy * a.strides[0] - a.pads[0] + ky;
          const ix = ox * a.strides[1] - a.pads[1] + kx;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) { if (a.countIncludePad) cnt++; continue; }
          const t = x[((n * H + iy) * W + ix) * C + c];
          m = Math.max(m, t); sum += t; cnt++;
        }
        y[((n * OH + oy) * OW + ox) * C + c] = node.op === 'MaxPool' ? m : sum / cnt;
      }
      return [y];
    }
    case 'GlobalAvgPool': {
      const [N, H, W, C] = xs;
      for (let n = 0; n < N; n++) for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) y[n * C + c] += x[(n * H * W + p) * C + c] / (H * W);
      return [y];
    }
    case 'Flatten':
      return [Float32Array.from(x)];
    case 'FullyConnected': {
      const w = v(1);
      const bias = node.inputs[2] ? v(2) : undefined;
      const [N, n] = os;
      const K = xs[xs.length - 1];
      for (let b = 0; b < N; b++) for (let o = 0; o < n; o++) {
        let acc = bias ? bias[o] : 0;
        for (let k = 0; k < K; k++) acc += x[b * K + k] * w[o * K + k];
        y[b * n + o] = act(acc, (node.attrs as OpAttrs['FullyConnected']).act);
      }
      return [y];
    }
    case 'Softmax': {
      const C = xs[xs.length - 1];
      for (let p = 0; p < y.length / C; p++) {
        let m = -Infinity, sum = 0;
        for (let c = 0; c < C; c++) m = Math.max(m, x[p * C + c]);
        for (let c = 0; c < C; c++) sum += (y[p * C + c] = Math.exp(x[p * C + c] - m));
        for (let c = 0; c < C; c++) y[p * C + c] /= sum;
      }
      return [y];
    }
    case 'CReLU': {
      const C = xs[xs.length - 1];
      const a = (node.attrs as OpAttrs['CReLU']).act;
      for (let p = 0; p < x.length / C; p++) for (let c = 0; c < C; c++) {
        y[p * 2 * C + c] = act(x[p * C + c], a);
        y[p * 2 * C + C + c] = act(-x[p * C + c], a);
      }
      return [y];
    }
    case 'Pad': {
      const p = (node.attrs as OpAttrs['Pad']).pads;
      const [N, H, W, C] = xs;
      const [, OH, OW] = os;
      for (let n = 0; n < N; n++) for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) for (let c = 0; c < C; c++) {
        y[((n * OH + iy + p[0]) * OW + ix + p[1]) * C + c] = x[((n * H + iy) * W + ix) * C + c];
      }
      return [y];
    }
    default:
      throw new Error(`naive evaluator: op ${node.op} not implemented`);
  }
}

export const rms = (a: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s / a.length);
};
