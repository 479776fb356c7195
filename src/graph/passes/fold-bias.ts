import type { Constant, Graph, Node } from '../ir.js';
import { foldableProducer, freshName, producers, rebuild, useCounts } from './util.js';

/**
 * Add(y, b) with b a per-channel constant [C] and y from a conv / FC with linear activation, no
 * residual and no other reader -> the constant joins that op's bias (TF graphs keep BiasAdd / Add
 * separate from Conv2D).
 */
export function foldBias(graph: Graph, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  const added: Constant[] = [];
  const taken = new Set<string>();
  for (const add of graph.nodes) {
    if (add.op !== 'Add') continue;
    const [t, c] = add.inputs;
    const k = graph.constants.get(c);
    const p = foldableProducer(t, prod, uses);
    if (!k || k.shape.length !== 1 || !p || replaced.has(p)) continue;
    const old = p.inputs[2] ? graph.constants.get(p.inputs[2]) : undefined;
    if (p.inputs[2] && !old) continue;
    if (old && old.data.length !== k.data.length) continue;
    const bias = new Float32Array(k.data.length);
    for (let i = 0; i < bias.length; i++) bias[i] = (old ? old.data[i] : 0) + k.data[i];
    const name = freshName(graph, `${p.name}/bias_folded`, taken);
    added.push({ name, shape: [bias.length], data: bias });
    replaced.set(p, { ...p, inputs: [p.inputs[0], p.inputs[1], name], outputs: [add.outputs[0]], attrs: { ...p.attrs, act: (add.attrs as { act: string }).act } as never });
    dropped.add(add);
  }
  if (dropped.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n), added);
}
