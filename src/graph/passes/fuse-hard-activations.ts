import type { Graph, Node, OpAttrs } from '../ir.js';
import { producers, rebuild, useCounts } from './util.js';

const allEqual = (d: Float32Array | undefined, v: number): boolean => !!d && d.length > 0 && d.every((x) => Math.abs(x - v) <= 1e-6 * Math.abs(v));

/**
 * The elementwise spellings of MobileNetV3's activations, as TF/TF.js graphs write them, become one
 * Activation node (which the next pass fuses into the producing conv):
 *   h-swish     Mul(Mul(x, 1/6), Relu6(Add(x, 3)))   (either operand order)
 *   h-sigmoid   Mul(Relu6(Add(x, 3)), 1/6)
 * Relu6(Add(x, 3)) may be an Add with act relu6 or an Add followed by an Activation relu6.
 */
export function fuseHardActivations(graph: Graph, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const c = (t: string) => graph.constants.get(t)?.data;
  /** If t = relu6(x + 3) (single-use pieces), returns x and the nodes to drop. */
  const relu6Plus3 = (t: string): { x: string; nodes: Node[] } | null => {
    let n = prod.get(t);
    const nodes: Node[] = [];
    if (n?.op === 'Activation' && (n.attrs as OpAttrs['Activation']).act === 'relu6' && uses.get(n.inputs[0]) === 1) {
      nodes.push(n);
      n = prod.get(n.inputs[0]);
      if (!n || n.op !== 'Add' || (n.attrs as OpAttrs['Add']).act !== 'linear') return null;
    } else if (!(n?.op === 'Add' && (n.attrs as OpAttrs['Add']).act === 'relu6')) return null;
    if (!allEqual(c(n.inputs[1]), 3)) return null;
    nodes.push(n);
    return { x: n.inputs[0], nodes };
  };
  const times6th = (t: string): { x: string; node: Node } | null => {
    const n = prod.get(t);
    if (n?.op !== 'Mul' || (n.attrs as OpAttrs['Mul']).act !== 'linear' || uses.get(t) !== 1) return null;
    return allEqual(c(n.inputs[1]), 1 / 6) ? { x: n.inputs[0], node: n } : null;
  };
  const dropped = new Set<Node>();
  const replaced = new Map<Node, Node>();
  for (const m of graph.nodes) {
    if (m.op !== 'Mul' || (m.attrs as OpAttrs['Mul']).act !== 'linear' || dropped.has(m)) continue;
    const [p, q] = m.inputs;
    // h-sigmoid: Mul(relu6(x+3), 1/6)
    if (allEqual(c(q), 1 / 6) && uses.get(p) === 1) {
      const r = relu6Plus3(p);
      if (r && r.nodes.every((n) => !dropped.has(n))) {
        r.nodes.forEach((n) => dropped.add(n));
        replaced.set(m, { name: m.name, op: 'Activation', inputs: [r.x], outputs: m.outputs, attrs: { act: 'hsigmoid' } });
        continue;
      }
    }
    // h-swish: Mul(x/6, relu6(x+3))
    for (const [a, b] of [[p, q], [q, p]]) {
      const s = times6th(a);
      const r = uses.get(b) === 1 ? relu6Plus3(b) : null;
      if (s && r && s.x === r.x && !dropped.has(s.node) && r.nodes.every((n) => !dropped.has(n))) {
        dropped.add(s.node);
        r.nodes.forEach((n) => dropped.add(n));
        replaced.set(m, { name: m.name, op: 'Activation', inputs: [s.x], outputs: m.outputs, attrs: { act: 'hswish' } });
        break;
      }
    }
  }
  if (replaced.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n));
}
