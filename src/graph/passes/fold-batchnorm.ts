import type { Constant, Graph, Node, OpAttrs } from '../ir.js';
import { foldableProducer, freshName, producers, rebuild, useCounts } from './util.js';

/**
 * Conv2D / DepthwiseConv2D / ConvTranspose2D / FullyConnected followed by BatchNorm (its output
 * read by nothing else, linear activation, no residual) -> the same op with scaled weights and
 * bias = (b - mean) * gamma / sqrt(var + eps) + beta. The BatchNorm node disappears.
 */
export function foldBatchNorm(graph: Graph, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  const added: Constant[] = [];
  const taken = new Set<string>();
  for (const bn of graph.nodes) {
    if (bn.op !== 'BatchNorm') continue;
    const p = foldableProducer(bn.inputs[0], prod, uses);
    if (!p || replaced.has(p)) continue;
    const c = (i: number) => graph.constants.get(bn.inputs[i])?.data;
    const [gamma, beta, mean, variance] = [c(1), c(2), c(3), c(4)];
    const w = graph.constants.get(p.inputs[1]);
    if (!gamma || !beta || !mean || !variance || !w) continue;
    const { epsilon } = bn.attrs as OpAttrs['BatchNorm'];
    const C = gamma.length;
    const scale = new Float32Array(C);
    for (let i = 0; i < C; i++) scale[i] = gamma[i] / Math.sqrt(variance[i] + epsilon);
    // Output channel of weight element i: depthwise [kh][kw][C] -> i % C; others [cout][...] -> i / (size / C).
    const wd = new Float32Array(w.data.length);
    const inner = w.data.length / C;
    for (let i = 0; i < wd.length; i++) wd[i] = w.data[i] * scale[p.op === 'DepthwiseConv2D' ? i % C : Math.floor(i / inner)];
    const oldBias = p.inputs[2] ? graph.constants.get(p.inputs[2])?.data : undefined;
    if (p.inputs[2] && !oldBias) continue;
    const bias = new Float32Array(C);
    for (let i = 0; i < C; i++) bias[i] = ((oldBias ? oldBias[i] : 0) - mean[i]) * scale[i] + beta[i];
    const wName = freshName(graph, `${p.name}/weight_bn`, taken);
    const bName = freshName(graph, `${p.name}/bias_bn`, taken);
    added.push({ name: wName, shape: w.shape, data: wd }, { name: bName, shape: [C], data: bias });
    replaced.set(p, { ...p, inputs: [p.inputs[0], wName, bName], outputs: [bn.outputs[0]] });
    dropped.add(bn);
  }
  if (dropped.size === 0) return graph;
  const nodes = graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
  return rebuild(graph, nodes, added);
}
