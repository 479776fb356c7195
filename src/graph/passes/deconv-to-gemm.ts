import type { Constant, Graph, Node, OpAttrs } from '../ir.js';
import { inferShapes } from '../shapes.js';
import { freshName, rebuild } from './util.js';

/**
 * A transposed convolution whose kernel equals its stride and that crops nothing (the
 * "pixel shuffle" upsampling of segmentation decoders, e.g. 2x2 stride 2) writes every output
 * pixel from exactly one input pixel: it is a 1x1 convolution to kh*kw*cout channels (the GEMM
 * kernels, with bias and activation fused) followed by DepthToSpace. The transposed-conv kernels
 * compute 8 output channels at a time, so a 1-channel mask head wasted 7/8 of its work (selfie's
 * 2x2s2 head: 2.83 ms -> 0.39 + 0.09 ms); done for fewer than 8 output channels only.
 */
export function deconvToGemm(graph: Graph): Graph {
  // the output tensor keeps its name: nothing observable changes, so `keep` does not matter
  const replaced = new Map<Node, Node[]>();
  const added: Constant[] = [];
  const taken = new Set<string>();
  let shapes: Map<string, number[]> | undefined;
  for (const n of graph.nodes) {
    if (n.op !== 'ConvTranspose2D') continue;
    const a = n.attrs as OpAttrs['ConvTranspose2D'];
    const [kh, kw] = a.kernel;
    if (kh !== a.strides[0] || kw !== a.strides[1] || a.pads.some((p) => p !== 0)) continue;
    shapes ??= inferShapes(graph);
    const [, H, W, cin] = shapes.get(n.inputs[0])!;
    if (a.outputSize[0] !== H * kh || a.outputSize[1] !== W * kw) continue;
    const wk = graph.constants.get(n.inputs[1]);
    const bk = n.inputs[2] ? graph.constants.get(n.inputs[2]) : undefined;
    if (!wk || (n.inputs[2] && !bk)) continue;
    const cout = wk.shape[0];
    // the deconv kernels compute 8 output channels per tile; from 8 channels on they run as fast
    // as the GEMM (mobilenet_seg's 16..96-channel 2x2s2 decoders: equal GEMM time, plus the copy)
    if (cout >= 8) continue;
    // IR deconv weight [cout][kh][kw][cin] -> 1x1 conv weight [(ky*kw + kx)*cout + c][1][1][cin]
    const w = new Float32Array(wk.data.length);
    for (let c = 0; c < cout; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      w.set(wk.data.subarray(((c * kh + ky) * kw + kx) * cin, ((c * kh + ky) * kw + kx + 1) * cin), (((ky * kw + kx) * cout) + c) * cin);
    }
    const wName = freshName(graph, `${n.name}/gemm_weight`, taken);
    added.push({ name: wName, shape: [kh * kw * cout, 1, 1, cin], data: w });
    const inputs = [n.inputs[0], wName];
    if (bk) {
      const b = new Float32Array(kh * kw * cout);
      for (let j = 0; j < kh * kw; j++) b.set(bk.data, j * cout);
      const bName = freshName(graph, `${n.name}/gemm_bias`, taken);
      added.push({ name: bName, shape: [kh * kw * cout], data: b });
      inputs.push(bName);
    }
    const mid = freshName(graph, `${n.name}/gemm`, taken);
    replaced.set(n, [
      { name: mid, op: 'Conv2D', inputs, outputs: [mid], attrs: { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, act: a.act } },
      { name: n.name, op: 'DepthToSpace', inputs: [mid], outputs: n.outputs, attrs: { block: [kh, kw] } },
    ]);
  }
  if (replaced.size === 0) return graph;
  return rebuild(graph, graph.nodes.flatMap((n) => replaced.get(n) ?? [n]), added);
}
