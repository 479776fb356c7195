import type { Graph } from './ir.js';
import { inferShapes } from './shapes.js';

/**
 * Parameter and multiply-accumulate counts (convention and reasoning: docs/counting.md).
 * - MACs: Conv2D, DepthwiseConv2D, ConvTranspose2D and FullyConnected only (per image in the batch
 *   times N). BN, activations, elementwise add/mul, pooling, resize, shuffle, softmax are free.
 * - Params: constant weights and biases of those layers + BatchNorm gamma and beta (the Keras
 *   "trainable" count; moving mean/variance are excluded). A constant shared by several nodes is counted once.
 */
export interface LayerStats {
  name: string;
  op: string;
  outputShape: number[];
  params: number;
  macs: number;
}

export interface GraphStats {
  params: number;
  macs: number;
  layers: LayerStats[];
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function graphStats(graph: Graph): GraphStats {
  const shapes = inferShapes(graph);
  const counted = new Set<string>();
  const paramOf = (t: string | undefined): number => {
    if (!t || counted.has(t)) return 0;
    const k = graph.constants.get(t);
    if (!k) return 0;
    counted.add(t);
    return prod(k.shape);
  };
  const layers: LayerStats[] = [];
  let params = 0;
  let macs = 0;
  for (const node of graph.nodes) {
    const s = (i: number): number[] => shapes.get(node.inputs[i])!;
    const out = shapes.get(node.outputs[0])!;
    let p = 0;
    let m = 0;
    switch (node.op) {
      case 'Conv2D': {
        const w = s(1);
        const cinG = w[3];
        m = prod(out) * w[1] * w[2] * cinG;
        p = paramOf(node.inputs[1]) + paramOf(node.inputs[2]);
        break;
      }
      case 'DepthwiseConv2D': {
        const w = s(1);
        m = prod(out) * w[0] * w[1];
        p = paramOf(node.inputs[1]) + paramOf(node.inputs[2]);
        break;
      }
      case 'ConvTranspose2D': {
        // Input-centric: every input pixel is multiplied by the whole kernel (what the kernel computes,
        // including products that fall into the cropped padding).
        const x = s(0);
        const w = s(1);
        m = prod(x) * w[0] * w[1] * w[2];
        p = paramOf(node.inputs[1]) + paramOf(node.inputs[2]);
        break;
      }
      case 'FullyConnected': {
        const w = s(1);
        m = out[0] * w[0] * w[1];
        p = paramOf(node.inputs[1]) + paramOf(node.inputs[2]);
        break;
      }
      case 'BatchNorm':
        p = paramOf(node.inputs[1]) + paramOf(node.inputs[2]);
        break;
      default:
        break;
    }
    params += p;
    macs += m;
    layers.push({ name: node.name, op: node.op, outputShape: [...out], params: p, macs: m });
  }
  return { params, macs, layers };
}

/** Totals per op type (handy for reports). */
export function statsByOp(stats: GraphStats): Record<string, { params: number; macs: number; count: number }> {
  const r: Record<string, { params: number; macs: number; count: number }> = {};
  for (const l of stats.layers) {
    const e = (r[l.op] ??= { params: 0, macs: 0, count: 0 });
    e.params += l.params;
    e.macs += l.macs;
    e.count++;
  }
  return r;
}
